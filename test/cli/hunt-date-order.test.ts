import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER = 'TimeGenerated [UTC],DeviceVendor,SourceIP,DestinationIP,DestinationPort';
// 1 March 2021 in a day-first export, to an indicator of the example feed. Read month-first,
// it would be 3 January, outside a 30-day lookback from 15 March.
const HIT = '"01/03/2021, 20:35:54.000",PAN,10.1.1.5,45.92.1.175,5220';
// A row to another address whose day, 13, shows that the export is day-first.
const DAY_FIRST = '"13/02/2021, 08:00:00.000",PAN,10.1.1.5,192.0.2.1,443';

async function setUp(t: TestContext, rows: string[]): Promise<{ log: string; pack: string }> {
  const folder = makeTempDir('date-order', t);
  const log = join(folder, 'export.csv');
  await writeFile(log, [HEADER, ...rows].join('\r\n') + '\r\n');
  const built = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--out',
    join(folder, 'packs'),
  ]);
  assert.equal(built.code, 0, built.stderr);
  return { log, pack: join(folder, 'packs', 'remcos') };
}

function huntArgs(log: string, pack: string, ...extra: string[]): string[] {
  return [
    'hunt',
    log,
    '--pack',
    pack,
    '--lookback',
    '30d',
    '--now',
    '2021-03-15T00:00:00Z',
    '--json',
    ...extra,
  ];
}

test('hunt reads a day-first export day-first', async (t) => {
  const { log, pack } = await setUp(t, [HIT, DAY_FIRST]);
  const result = await runCli(huntArgs(log, pack));
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: Array<{ time: string; line: number }> };
  assert.equal(parsed.findings.length, 2);
  assert.equal(parsed.findings[0]?.time, '2021-03-01T20:35:54.000Z');
  assert.equal(parsed.findings[0]?.line, 2);
  assert.doesNotMatch(result.stderr, /AMBIGUOUS_DATE_ORDER|INVALID_TIME/);
});

test('hunt warns about an export of ambiguous dates', async (t) => {
  const { log, pack } = await setUp(t, [HIT]);
  const result = await runCli(huntArgs(log, pack));
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: unknown[] };
  assert.equal(parsed.findings.length, 0);
  assert.match(result.stderr, /AMBIGUOUS_DATE_ORDER/);
  assert.ok(result.stderr.includes(log), result.stderr);
  assert.match(result.stderr, /"01\/03\/2021, 20:35:54\.000"/);
  assert.match(result.stderr, /month-first \(mdy\)/);
  assert.match(result.stderr, /--date-order dmy/);
});

test('hunt takes --date-order for ambiguous dates', async (t) => {
  const { log, pack } = await setUp(t, [HIT]);
  const result = await runCli(huntArgs(log, pack, '--date-order', 'dmy'));
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: Array<{ time: string }> };
  assert.equal(parsed.findings.length, 2);
  assert.equal(parsed.findings[0]?.time, '2021-03-01T20:35:54.000Z');
  assert.doesNotMatch(result.stderr, /AMBIGUOUS_DATE_ORDER/);
});

test('hunt rejects an unknown --date-order', async (t) => {
  const { log, pack } = await setUp(t, [HIT]);
  const result = await runCli(huntArgs(log, pack, '--date-order', 'ddmm'));
  assert.equal(result.code, 2);
  assert.match(result.stderr, /mdy, dmy, ymd/);
});

test('hunt help documents --date-order', async () => {
  const result = await runCli(['hunt', '--help']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /--date-order <order>/);
  assert.match(result.stdout, /"mdy", "dmy", "ymd"/);
});
