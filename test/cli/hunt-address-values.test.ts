/**
 * A hunt matches an address written in brackets or with its port attached, as a KQL hunt over
 * the same address would, and names the field values that are no address.
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

function row(id: number, value: string): string {
  return (
    `"2026-04-11 20:39:25", "${id}", "${value}", "ip:port", "botnet_cc", "elf.mozi", ` +
    `"None", "Mozi", "", "100", "False", "None", "None", "0", "tester"`
  );
}

function cef(extension: string): string {
  return `CEF:0|Vendor|Firewall|1|1|Connection|5|rt=1785500000000 src=10.0.0.7 spt=51000 ${extension}`;
}

interface HuntJson {
  complete: boolean;
  findings: Array<{ huntId: string; line: number }>;
  stats: { fieldWarningsByReason: Record<string, number> };
}

test('hunt reads bracketed and port-attached addresses', async (t) => {
  const folder = makeTempDir('address-hunt', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    [HEADER, row(1, '146.56.205.231:8084'), row(2, '[2a02:cf40:1::5]:40669'), ''].join('\n'),
  );

  const log = join(folder, 'fw.log');
  await writeFile(
    log,
    [
      cef('dst=[2a02:cf40:1::5] dpt=40669'),
      cef('dst=146.56.205.231:8084'),
      cef('dst=146.56.205.2310 dpt=8084'),
      '',
    ].join('\n'),
  );

  const hunt = await runCli([
    'hunt',
    '--feed',
    feed,
    log,
    '--json',
    '--report',
    join(folder, 'r.md'),
  ]);
  assert.equal(hunt.code, 0, hunt.stderr);

  const result = JSON.parse(hunt.stdout) as HuntJson;
  const portAware = result.findings
    .filter((finding) => finding.huntId.endsWith('port-aware'))
    .map((finding) => finding.line)
    .sort();
  assert.deepEqual(portAware, [1, 2]);
  assert.deepEqual(result.stats.fieldWarningsByReason, { INVALID_ADDRESS: 1 });
  assert.match(
    hunt.stderr,
    /fw\.log:3: warning INVALID_ADDRESS: Invalid DestinationIP "146\.56\.205\.2310"/,
  );
});
