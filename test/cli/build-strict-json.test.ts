import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InternalError, UsageError } from '../../src/errors.js';
import { isBuildStop, writeJsonStop } from '../../src/cli/build-summary.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

interface StopDocument {
  stopped: {
    code: string;
    severity: string;
    reason: string;
    source?: { file?: string; line?: number; id?: string };
    value?: unknown;
  };
}

interface Counts {
  rowsRead: number;
  accepted: number;
  rejected: number;
  merged: number;
  dropped: Record<string, number>;
}

function item(id: string, ioc: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id,
    ioc,
    threat_type: 'botnet_cc',
    ioc_type: 'domain',
    malware: 'win.remcos',
    malware_printable: 'Remcos',
    confidence_level: 75,
    first_seen: '2026-01-02 03:04:05 UTC',
    ...extra,
  });
}

function assertReconciles(counts: Counts): void {
  const dropped = Object.values(counts.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(counts.rowsRead, counts.accepted + counts.rejected + counts.merged + dropped);
}

test('strict json stop names a malformed field', async (t) => {
  const dir = makeTempDir('strict-json-field', t);
  const feed = join(dir, 'items.ndjson');
  await writeFile(
    feed,
    [
      item('1', 'one.example.net'),
      item('2', 'two.example.net', { confidence_level: 'high' }),
      item('3', 'three.example.net'),
    ].join('\n') + '\n',
  );

  const strict = await runCli(['build', feed, '--out', join(dir, 'strict'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /Invalid confidence_level "high"/);
  const document = JSON.parse(strict.stdout) as StopDocument;
  assert.equal(document.stopped.code, 'INVALID_CONFIDENCE');
  assert.equal(document.stopped.severity, 'warning');
  assert.equal(document.stopped.source?.file, feed);
  assert.equal(document.stopped.source?.id, '2');
  assert.equal(document.stopped.value, 'high');
  assert.match(document.stopped.reason, /Invalid confidence_level "high"/);
  assert.match(document.stopped.reason, /--strict/);

  const lenient = await runCli(['build', feed, '--out', join(dir, 'lenient'), '--json']);
  assert.equal(lenient.code, 0, lenient.stderr);
  const summary = JSON.parse(lenient.stdout) as { counts: Counts };
  assert.equal(summary.counts.rowsRead, 3);
  assert.equal(summary.counts.accepted, 3);
  assertReconciles(summary.counts);
});

test('strict json stop names a rejected row', async (t) => {
  const dir = makeTempDir('strict-json-row', t);
  const feed = join(dir, 'items.ndjson');
  await writeFile(
    feed,
    [
      item('1', 'one.example.net'),
      item('2', '203.0.113.5:99999', { ioc_type: 'ip:port' }),
      item('3', 'one.example.net'),
    ].join('\n') + '\n',
  );

  const strict = await runCli(['build', feed, '--out', join(dir, 'strict'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  const document = JSON.parse(strict.stdout) as StopDocument;
  assert.equal(document.stopped.severity, 'error');
  assert.equal(document.stopped.source?.file, feed);
  assert.equal(document.stopped.source?.id, '2');
  assert.equal(document.stopped.source?.line, 2);
  assert.equal(document.stopped.value, '203.0.113.5:99999');
  assert.match(document.stopped.reason, /99999/);

  const lenient = await runCli(['build', feed, '--out', join(dir, 'lenient'), '--json']);
  assert.equal(lenient.code, 0, lenient.stderr);
  const summary = JSON.parse(lenient.stdout) as { counts: Counts };
  assert.equal(summary.counts.rowsRead, 3);
  assert.equal(summary.counts.rejected, 1);
  assert.equal(summary.counts.merged, 1);
  assertReconciles(summary.counts);
});

test('strict json stop at an unreadable file', async (t) => {
  const dir = makeTempDir('strict-json-file', t);
  const feed = join(dir, 'broken.json');
  await writeFile(feed, '{"query_status": "ok", "data": [');

  const strict = await runCli(['build', feed, '--out', join(dir, 'out'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  assert.notEqual(strict.stderr, '');
  const document = JSON.parse(strict.stdout) as StopDocument;
  assert.equal(document.stopped.severity, 'error');
  assert.equal(document.stopped.source?.file, feed);
  assert.equal(typeof document.stopped.code, 'string');
});

test('json stop of a huntpack bug', () => {
  let stdout = '';
  const io = { stdout: { write: (text: string) => (stdout += text) } } as unknown as CliIo;
  const error = new InternalError('KUSTO_CHECK_FAILED', 'A generated query failed the check.');
  assert.equal(isBuildStop(error), true);
  writeJsonStop(error, io);
  const document = JSON.parse(stdout) as StopDocument;
  assert.equal(document.stopped.code, 'KUSTO_CHECK_FAILED');
  assert.equal(document.stopped.severity, 'error');
  assert.equal(document.stopped.reason, 'A generated query failed the check.');
  assert.equal(document.stopped.value, undefined);
});

test('usage errors get no json stop', () => {
  assert.equal(isBuildStop(new UsageError('UNKNOWN_FORMAT', 'Unknown --format "x".')), false);
  assert.equal(isBuildStop(new Error('crash')), false);
});

test('strict json stop counts earlier rows', async (t) => {
  const dir = makeTempDir('strict-json-counts', t);
  const feed = join(dir, 'items.ndjson');
  await writeFile(
    feed,
    [
      item('1', 'one.example.net'),
      item('2', 'one.example.net'),
      item('3', 'three.example.net'),
      item('4', 'four.example.net', { confidence_level: 'high' }),
      item('5', 'five.example.net'),
    ].join('\n') + '\n',
  );

  const strict = await runCli(['build', feed, '--out', join(dir, 'out'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  const document = JSON.parse(strict.stdout) as StopDocument & { counts: Counts };
  assert.equal(document.stopped.source?.id, '4');
  assert.equal(document.counts.rowsRead, 3);
  assert.equal(document.counts.accepted, 2);
  assert.equal(document.counts.merged, 1);
  assert.equal(document.counts.rejected, 0);
  assertReconciles(document.counts);
});

test('strict json stop counts a rejected value', async (t) => {
  const dir = makeTempDir('strict-json-value-counts', t);
  const feed = join(dir, 'items.ndjson');
  await writeFile(
    feed,
    [item('1', 'one.example.net'), item('2', '203.0.113.5:99999', { ioc_type: 'ip:port' })].join(
      '\n',
    ) + '\n',
  );

  const strict = await runCli(['build', feed, '--out', join(dir, 'out'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  const document = JSON.parse(strict.stdout) as StopDocument & { counts: Counts };
  assert.equal(document.counts.rowsRead, 1);
  assert.equal(document.counts.accepted, 1);
  assertReconciles(document.counts);
});

test('strict json stop shortens a long value', async (t) => {
  const dir = makeTempDir('strict-json-long', t);
  const feed = join(dir, 'items.ndjson');
  const long = 'h'.repeat(5000);
  await writeFile(feed, item('1', 'one.example.net', { confidence_level: long }) + '\n');

  const strict = await runCli(['build', feed, '--out', join(dir, 'out'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  const document = JSON.parse(strict.stdout) as StopDocument & {
    stopped: { valueShortened?: boolean };
  };
  assert.equal(document.stopped.value, `${'h'.repeat(80)}…`);
  assert.equal(document.stopped.valueShortened, true);
  assert.ok(strict.stdout.length < 2000, `stop document of ${strict.stdout.length} characters`);
});

test('strict stops at an invalid STIX timestamp', async (t) => {
  const dir = makeTempDir('strict-stix-time', t);
  const feed = join(dir, 'bundle.json');
  await writeFile(
    feed,
    JSON.stringify({
      type: 'bundle',
      id: 'bundle--1',
      objects: [
        {
          type: 'indicator',
          spec_version: '2.1',
          id: 'indicator--1',
          pattern_type: 'stix',
          pattern: "[domain-name:value = 'one.example.net']",
          valid_from: 'yesterday',
        },
      ],
    }),
  );

  const strict = await runCli(['build', feed, '--out', join(dir, 'strict'), '--strict', '--json']);
  assert.equal(strict.code, 1);
  const document = JSON.parse(strict.stdout) as StopDocument & { counts: Counts };
  assert.equal(document.stopped.code, 'STIX_INVALID_TIMESTAMP');
  assert.equal(document.stopped.value, 'yesterday');
  assert.match(document.stopped.reason, /--strict/);
  assertReconciles(document.counts);

  const lenient = await runCli(['build', feed, '--out', join(dir, 'lenient'), '--json']);
  assert.equal(lenient.code, 0, lenient.stderr);
  const summary = JSON.parse(lenient.stdout) as { counts: Counts };
  assert.equal(summary.counts.rowsRead, 1);
  assert.equal(summary.counts.accepted, 1);
  assertReconciles(summary.counts);
});
