import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/*
 * Real WAF CEF lines that split the server across fields: FortiWeb writes
 * `dhost=soartesting.net request=/abc`, and Barracuda writes `dhost=13.86.36.66 dst=- dpt=9049`.
 * A pack built from a ThreatFox CSV must find both.
 */
const FORTIWEB = 'logs/cef/azure-sentinel_fortiwebwafsamplelog_TRIMMED.txt';
const BARRACUDA = 'logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt';

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
  '"malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised",' +
  '"reference","tags","anonymous","reporter"';

function row(id: number, value: string, type: string, threatType: string): string {
  return (
    `"2026-04-11 22:25:00", "${id}", "${value}", "${type}", "${threatType}", "win.remcos", ` +
    `"None", "Remcos", "", "100", "False", "", "c2", "0", "analyst"`
  );
}

const FEED = [
  HEADER,
  row(1, 'https://soartesting.net/abc', 'url', 'payload_delivery'),
  row(2, 'soartesting.net', 'domain', 'botnet_cc'),
  row(3, '13.86.36.66:9049', 'ip:port', 'botnet_cc'),
  '# Number of entries: 3',
  '',
].join('\n');

interface Finding {
  line: number;
  huntId: string;
  variant: string;
  matchedOn: string;
  indicator: { value: string };
}

/** Returns the numbers of the lines of a shared log that contain every one of `parts`. */
function linesWith(path: string, parts: string[]): number[] {
  const lines = readFileSync(sharedFile(path), 'utf8').split('\n');
  const numbers: number[] = [];
  lines.forEach((text, index) => {
    if (parts.every((part) => text.includes(part))) numbers.push(index + 1);
  });
  return numbers;
}

async function hunt(pack: string, log: string): Promise<Finding[]> {
  const result = await runCli(['hunt', '--pack', pack, '--json', sharedFile(log)]);
  assert.equal(result.code, 0, result.stderr);
  const { findings } = JSON.parse(result.stdout) as { findings: Finding[] };
  return findings.sort((a, b) => a.line - b.line || a.huntId.localeCompare(b.huntId));
}

describe('hunt of WAF lines with split host', { skip: skipWithoutShared(FORTIWEB) }, () => {
  let pack: string;
  before(async () => {
    const folder = makeTempDir('waf-split-host');
    const feed = join(folder, 'threatfox.csv');
    writeFileSync(feed, FEED);
    // 13.86.36.66 is an Azure address, which the built-in list keeps out of address-only hunts.
    const built = await runCli([
      'build',
      feed,
      '--out',
      join(folder, 'packs'),
      '--disable-allowlist',
      'microsoft-azure',
    ]);
    assert.equal(built.code, 0, built.stderr);
    pack = join(folder, 'packs', 'remcos');
  });

  it('finds the URL of dhost and request', async () => {
    const expected = linesWith(FORTIWEB, ['dhost=soartesting.net ', 'request=/abc ']);
    assert.ok(expected.length > 0, 'the FortiWeb sample has no split soartesting.net/abc line');
    const urls = (await hunt(pack, FORTIWEB)).filter((finding) => finding.variant === 'url');
    assert.deepEqual(
      urls.map((finding) => finding.line),
      expected,
    );
    for (const finding of urls) {
      assert.equal(finding.matchedOn, 'RequestURL');
      assert.equal(finding.indicator.value, 'https://soartesting.net/abc');
    }
  });

  it('counts each domain hit once', async () => {
    const expected = linesWith(FORTIWEB, ['dhost=soartesting.net ']);
    const domains = (await hunt(pack, FORTIWEB)).filter((finding) => finding.variant === 'domain');
    assert.deepEqual(
      domains.map((finding) => finding.line),
      expected,
    );
    for (const finding of domains) assert.equal(finding.matchedOn, 'DestinationHostName');
  });

  it('finds ip:port in dhost', { skip: skipWithoutShared(BARRACUDA) }, async () => {
    const expected = linesWith(BARRACUDA, ['dhost=13.86.36.66 ', 'dst=- ', 'dpt=9049 ']);
    assert.ok(expected.length > 0, 'the Barracuda sample has no line with dhost=13.86.36.66');
    const findings = await hunt(pack, BARRACUDA);
    for (const variant of ['port-aware', 'address-only']) {
      const hits = findings.filter((finding) => finding.variant === variant);
      assert.deepEqual(
        hits.map((finding) => finding.line),
        expected,
        variant,
      );
      for (const finding of hits) {
        assert.equal(finding.matchedOn, 'destination');
      }
    }
    const portAware = findings.filter((finding) => finding.variant === 'port-aware');
    for (const finding of portAware) assert.equal(finding.indicator.value, '13.86.36.66:9049');
  });
});
