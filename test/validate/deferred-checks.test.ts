import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryCheckError } from '../../src/cli/build-write-packs.js';
import { DeferredQueryChecks, type GeneratedQuery } from '../../src/validate/deferred-checks.js';
import { BackgroundKustoChecker } from '../../src/validate/kusto-background.js';
import { checkKql, type KqlCheckOptions, type KqlDiagnostic } from '../../src/validate/kusto.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Returns the real in-thread check and the list of texts it receives. */
function countingCheck(): {
  texts: string[];
  check: (text: string, options: KqlCheckOptions) => Promise<KqlDiagnostic[]>;
} {
  const texts: string[] = [];
  return {
    texts,
    check: (text, options) => {
      texts.push(text);
      return Promise.resolve(checkKql(text, options));
    },
  };
}

function sentinelQuery(pack: string, file: string, text: string): GeneratedQuery {
  return { pack, file, text, platform: 'sentinel' };
}

const GOOD_A = 'CommonSecurityLog\n| where DestinationIP == "10.0.0.1"\n| take 10';
const GOOD_B = 'CommonSecurityLog\n| where DestinationIP == "192.0.2.77"\n| take 10';
const BAD_A = 'CommonSecurityLog\n| where NoSuchColumn == "a"';
const BAD_B = 'CommonSecurityLog\n| where NoSuchColumn == "b"';

test('deferred checks run each shape once', async () => {
  const { texts, check } = countingCheck();
  const checks = new DeferredQueryChecks(check);
  checks.add(sentinelQuery('p1', 'queries/a.kql', GOOD_A));
  checks.add(sentinelQuery('p2', 'queries/a.kql', GOOD_B));
  assert.deepEqual(await checks.settle(), []);
  assert.equal(texts.length, 1);
  assert.ok(!texts[0]!.includes('10.0.0.1'), 'the shape has the literal replaced');
});

test('failed shape reports every query', async () => {
  const { texts, check } = countingCheck();
  const checks = new DeferredQueryChecks(check);
  checks.add(sentinelQuery('p1', 'queries/bad.kql', BAD_A));
  checks.add(sentinelQuery('p1', 'queries/good.kql', GOOD_A));
  checks.add(sentinelQuery('p2', 'queries/bad.kql', BAD_B));
  const failures = await checks.settle();
  assert.deepEqual(
    failures.map((failure) => `${failure.query.pack}/${failure.query.file}`),
    ['p1/queries/bad.kql', 'p2/queries/bad.kql'],
  );
  assert.equal(failures[0]!.query.text, BAD_A);
  assert.equal(failures[0]!.errors[0]!.line, 2);
  assert.ok(failures[0]!.errors.every((error) => error.severity === 'error'));
  assert.ok(texts.includes(BAD_A), 'the first failing text is checked in full');
  assert.ok(texts.includes(BAD_B), 'the second failing text is checked in full');
});

test('query added after failed shape', async () => {
  const { check } = countingCheck();
  const checks = new DeferredQueryChecks(check);
  checks.add(sentinelQuery('p1', 'queries/bad.kql', BAD_A));
  // Let the shape's check finish before the second query of that shape arrives.
  await new Promise((resolve) => setImmediate(resolve));
  checks.add(sentinelQuery('p2', 'queries/bad.kql', BAD_B));
  const failures = await checks.settle();
  assert.equal(failures.length, 2);
  assert.equal(failures[1]!.query.pack, 'p2');
});

test('full check sends every text', async () => {
  const { texts, check } = countingCheck();
  const checks = new DeferredQueryChecks(check, true);
  checks.add(sentinelQuery('p1', 'queries/a.kql', GOOD_A));
  checks.add(sentinelQuery('p2', 'queries/a.kql', GOOD_B));
  assert.deepEqual(await checks.settle(), []);
  assert.deepEqual(texts, [GOOD_A, GOOD_B]);
});

test('check that cannot run fails settle', async () => {
  const checks = new DeferredQueryChecks(() => Promise.reject(new Error('parser failed to load')));
  checks.add(sentinelQuery('p1', 'queries/a.kql', GOOD_A));
  // Nothing awaits the check yet; the rejection must wait for settle instead of ending the process.
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(checks.settle(), /parser failed to load/);
});

test('background checkAsync equals checkKql', async () => {
  const checker = new BackgroundKustoChecker();
  try {
    const cases: Array<[string, KqlCheckOptions]> = [
      [GOOD_A, { platform: 'sentinel', analyzers: false }],
      [BAD_A, { platform: 'sentinel', analyzers: false }],
      ['DeviceNetworkEvents | where Timestamp > ago(1d)', { platform: 'defender' }],
    ];
    const results = await Promise.all(
      cases.map(([text, options]) => checker.checkAsync(text, options)),
    );
    cases.forEach(([text, options], index) => {
      assert.deepEqual(results[index], checkKql(text, options), text);
    });
    assert.equal(checker.usesWorker, true, 'the checks ran on the calling thread');
  } finally {
    checker.close();
  }
});

test('closed checker checkAsync in-thread', async () => {
  const checker = new BackgroundKustoChecker();
  checker.close();
  const options: KqlCheckOptions = { platform: 'sentinel', analyzers: false };
  assert.deepEqual(await checker.checkAsync(BAD_A, options), checkKql(BAD_A, options));
});

test('query check error removes failing packs', async (t) => {
  const outDir = makeTempDir('deferred', t);
  for (const pack of ['p1', 'p2']) {
    mkdirSync(join(outDir, pack, 'queries'), { recursive: true });
    writeFileSync(join(outDir, pack, 'pack.json'), '{}');
  }
  const checks = new DeferredQueryChecks((text, options) =>
    Promise.resolve(checkKql(text, options)),
  );
  checks.add(sentinelQuery('p1', 'queries/bad.kql', BAD_A));
  checks.add(sentinelQuery('p2', 'queries/good.kql', GOOD_A));
  const error = await queryCheckError(await checks.settle(), outDir);
  assert.equal(error.code, 'GENERATED_QUERY_INVALID');
  assert.match(error.message, /p1\/queries\/bad\.kql does not compile/);
  assert.match(error.message, /line 2, column \d+: KS\d+/);
  assert.ok(error.message.endsWith(BAD_A), 'the message ends with the query');
  assert.equal(existsSync(join(outDir, 'p1')), false, 'the failing pack is removed');
  assert.equal(existsSync(join(outDir, 'p2', 'pack.json')), true, 'the passing pack stays');
});
