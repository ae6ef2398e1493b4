import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseLookback } from '../../src/cli/options.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('lookback accepts the range ends', () => {
  assert.deepEqual(parseLookback('1d'), { amount: 1, unit: 'd' });
  assert.deepEqual(parseLookback('9999d'), { amount: 9999, unit: 'd' });
  assert.deepEqual(parseLookback('1h'), { amount: 1, unit: 'h' });
  assert.deepEqual(parseLookback('9999h'), { amount: 9999, unit: 'h' });
  assert.deepEqual(parseLookback(' 30d '), { amount: 30, unit: 'd' });
});

test('lookback outside the range names it', () => {
  for (const text of ['0d', '10000d', '0h', '10000h', '30m', '1.5d', '-1d', 'd', '']) {
    assert.throws(
      () => parseLookback(text),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, `${text}: ${String(error)}`);
        assert.equal(error.code, 'INVALID_LOOKBACK');
        assert.ok(error.message.includes(`"${text}"`), error.message);
        assert.match(error.message, /from 1d to 9999d/);
        assert.match(error.message, /from 1h to 9999h/);
        return true;
      },
      text,
    );
  }
});

test('build rejects lookback 10000d', async (t) => {
  const out = makeTempDir('lookback', t);
  const result = await runCli([
    'build',
    'test/fixtures/packs/remcos-example.csv',
    '--lookback',
    '10000d',
    '--out',
    out,
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Invalid --lookback "10000d": .*from 1d to 9999d/);
});

test('lookback past Defender retention warns', async (t) => {
  const out = makeTempDir('lookback', t);
  const feed = 'test/fixtures/packs/remcos-example.csv';
  const result = await runCli(['build', feed, '--lookback', '90d', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /warning: --lookback 90d is longer than the 30 days .*Defender/);

  const queries = join(out, 'remcos', 'queries');
  const defender = await readFile(join(queries, 'remcos-defender-dne-port-aware.kql'), 'utf8');
  assert.match(defender, /^\/\/ Defender advanced hunting keeps 30 days of events/m);
  assert.match(defender, /^let lookback = 90d;$/m);
  const sentinel = await readFile(join(queries, 'remcos-sentinel-dne-port-aware.kql'), 'utf8');
  assert.doesNotMatch(sentinel, /keeps 30 days/);
  const report = await readFile(join(out, 'remcos', 'report.md'), 'utf8');
  assert.match(
    report,
    /\| Lookback of every hunt \| 90d \(Defender advanced hunting keeps 30 days/,
  );
});

test('lookback of 720h gives no retention warning', async (t) => {
  const out = makeTempDir('lookback', t);
  const feed = 'test/fixtures/packs/remcos-example.csv';
  const result = await runCli(['build', feed, '--lookback', '720h', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /Defender advanced hunting keeps/);
  const report = await readFile(join(out, 'remcos', 'report.md'), 'utf8');
  assert.match(report, /\| Lookback of every hunt \| 720h \|/);
});
