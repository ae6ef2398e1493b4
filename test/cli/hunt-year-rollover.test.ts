/**
 * `hunt --year` reads a syslog time that would fall after --now in the year before, so the
 * December events of a log that crosses New Year stay inside the lookback window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",' +
  '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags",' +
  '"anonymous","reporter"';
const ROW =
  '"2025-04-11 20:39:25", "1", "146.56.205.231:8084", "ip:port", "botnet_cc", "elf.vshell", ' +
  '"None", "VShell", "", "100", "False", "None", "None", "0", "tester"';

interface HuntJson {
  findings: Array<{ line: number; time: string }>;
  eventsOutsideWindow: number;
}

test('hunt --year keeps December before --now', async (t) => {
  const folder = makeTempDir('year-hunt', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(feed, `${HEADER}\n${ROW}\n`);
  const log = join(folder, 'roll.log');
  const line = (time: string, source: string) =>
    `<134>${time} fw1 CEF:0|V|P|1|1|n|1|src=${source} spt=1 dst=146.56.205.231 dpt=8084`;
  await writeFile(
    log,
    `${line('Dec 31 23:59:50', '10.0.0.1')}\n${line('Jan  1 00:00:10', '10.0.0.2')}\n`,
  );

  const hunt = await runCli([
    'hunt',
    '--feed',
    feed,
    '--year',
    '2026',
    '--timezone',
    'UTC',
    '--lookback',
    '30d',
    '--now',
    '2026-01-02T00:00:00Z',
    '--json',
    '--report',
    join(folder, 'r.md'),
    log,
  ]);
  assert.equal(hunt.code, 0, hunt.stderr);

  const result = JSON.parse(hunt.stdout) as HuntJson;
  assert.equal(result.eventsOutsideWindow, 0);
  const lines = [...new Set(result.findings.map((finding) => finding.line))].sort();
  assert.deepEqual(lines, [1, 2]);
  const december = result.findings.find((finding) => finding.line === 1);
  assert.equal(december?.time, '2025-12-31T23:59:50.000Z');
});
