/**
 * File hashes that appliances log: CEF `fileHash` (antivirus, sandboxes, mail gateways) and
 * Suricata `fileinfo` fill CommonSecurityLog's FileHash, which the hash hunts now search, in
 * Sentinel and locally.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import type { Hunt } from '../../src/compile/ir.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { huntsFromFeeds } from '../../src/hunt/hunts-from-feed.js';
import type { HashIndicator } from '../../src/indicators/model.js';
import { checkKql } from '../../src/validate/kusto.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

function cef(line: number, extension: string): string {
  return `Dec 05 10:00:0${line} av01 CEF:0|Trend Micro|Apex One|14.0|1|Virus found|5|rt=Dec 05 2026 10:00:0${line} UTC ${extension}`;
}

/** Returns a Suricata fileinfo event of a download over HTTP, with the given hash fields. */
function fileinfoEvent(flow: number, hashes: Record<string, string>): string {
  return JSON.stringify({
    timestamp: '2026-12-05T10:00:00.000000+0000',
    flow_id: flow,
    event_type: 'fileinfo',
    src_ip: '203.0.113.80',
    src_port: 80,
    dest_ip: '10.0.0.8',
    dest_port: 50000,
    proto: 'TCP',
    http: { hostname: 'files.example.org', url: '/a.exe' },
    fileinfo: { filename: '/a.exe', size: 10, ...hashes },
  });
}

describe('hash hunts over CommonSecurityLog FileHash', () => {
  let hunts: Hunt[];
  let sha256: HashIndicator;
  let folder: string;

  before(async () => {
    const feed = await huntsFromFeeds([FEED]);
    hunts = feed.hunts;
    sha256 = feed.collected.indicators.find(
      (indicator): indicator is HashIndicator => indicator.kind === 'sha256',
    )!;
    assert.ok(sha256, 'the bundled feed holds a sha256 indicator');
    folder = makeTempDir('file-hash-hunt');
  });

  it('writes a Sentinel hunt that compares FileHash in lower case and compiles', () => {
    const hunt = hunts.find((candidate) => candidate.id.endsWith('-sentinel-csl-hash'));
    assert.ok(hunt, hunts.map((candidate) => candidate.id).join('\n'));
    const query = compileKql(hunt, { generatorVersion: 'test' });
    assert.match(query, /tolower\(FileHash\)/);
    const errors = checkKql(query, { platform: 'sentinel' }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, []);
  });

  it('matches CEF and Suricata hashes exactly', async () => {
    const upper = sha256.hash.toUpperCase();
    const changed = (sha256.hash[0] === 'a' ? 'b' : 'a') + sha256.hash.slice(1);
    const cefFile = join(folder, 'av.cef');
    await writeFile(
      cefFile,
      [
        cef(1, `src=10.0.0.5 fname=invoice.exe fileHash=${upper} act=Quarantine`),
        cef(2, `src=10.0.0.6 fname=other.exe fileHash=${changed} act=Quarantine`),
        cef(3, `src=10.0.0.7 fname=longer.exe fileHash=${sha256.hash}00 act=Quarantine`),
      ].join('\n') + '\n',
    );
    const eveFile = join(folder, 'eve.json');
    await writeFile(
      eveFile,
      `${fileinfoEvent(1, { sha256: sha256.hash })}\n${fileinfoEvent(2, { sha256: changed })}\n`,
    );

    const result = await huntLogs(hunts, [cefFile, eveFile]);
    const found = result.findings.map(
      (finding) =>
        `${finding.file === cefFile ? 'cef' : 'eve'}:${finding.line} ${finding.huntId.replace(/^.*-sentinel-/, '')} ${finding.matchedOn} ${finding.indicator.value}`,
    );
    assert.deepEqual(found.sort(), [
      `cef:1 csl-hash FileHash ${sha256.value}`,
      `eve:1 csl-hash FileHash ${sha256.value}`,
    ]);
    const cefHit = result.findings.find((finding) => finding.file === cefFile)!;
    assert.equal(cefHit.columns.FileName, 'invoice.exe');
  });

  it('skips empty Suricata hash fields', async () => {
    const eveFile = join(folder, 'eve-empty.json');
    await writeFile(
      eveFile,
      [
        fileinfoEvent(1, { sha256: '', sha1: '-', md5: 'd41d8cd98f00b204e9800998ecf8427e' }),
        fileinfoEvent(2, { sha256: '-', sha1: sha256.hash }),
      ].join('\n') + '\n',
    );
    const result = await huntLogs(hunts, [eveFile]);
    // Event 2's SHA1 field contains the indicator's text, so after the dash it is the value read.
    assert.deepEqual(
      result.findings.map((finding) => `${finding.line} ${finding.matchedOn}`),
      ['2 FileHash'],
    );
  });

  it('finds an MD5 indicator in a Suricata event that also logs a SHA256', async () => {
    const md5 = '5d41402abc4b2a76b9719d911017c592';
    const feed = join(folder, 'md5.txt');
    await writeFile(feed, `Dropper MD5: ${md5}\n`);
    const md5Hunts = (await huntsFromFeeds([feed], { defaultFamily: 'Testfam' })).hunts;
    const eveFile = join(folder, 'eve-md5.json');
    const other = 'f'.repeat(64);
    await writeFile(
      eveFile,
      [
        fileinfoEvent(1, { sha256: other, sha1: 'e'.repeat(40), md5 }),
        fileinfoEvent(2, { sha256: other, md5: 'a'.repeat(32) }),
      ].join('\n') + '\n',
    );
    const result = await huntLogs(md5Hunts, [eveFile]);
    assert.deepEqual(
      result.findings.map((finding) => `${finding.line} ${finding.indicator.value}`),
      [`1 ${md5}`],
    );
    assert.equal(result.findings[0]?.matchedOn, 'FileHash');
  });
});
