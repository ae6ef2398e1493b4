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
import { suricataFileinfoLine } from '../helpers/suricata-events.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

function cef(line: number, extension: string): string {
  return `Dec 05 10:00:0${line} av01 CEF:0|Trend Micro|Apex One|14.0|1|Virus found|5|rt=Dec 05 2026 10:00:0${line} UTC ${extension}`;
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
      `${suricataFileinfoLine(1, { sha256: sha256.hash }, '/a.exe')}\n${suricataFileinfoLine(2, { sha256: changed }, '/a.exe')}\n`,
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
        suricataFileinfoLine(
          1,
          { sha256: '', sha1: '-', md5: 'd41d8cd98f00b204e9800998ecf8427e' },
          '/a.exe',
        ),
        suricataFileinfoLine(2, { sha256: '-', sha1: sha256.hash }, '/a.exe'),
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
        suricataFileinfoLine(1, { sha256: other, sha1: 'e'.repeat(40), md5 }, '/a.exe'),
        suricataFileinfoLine(2, { sha256: other, md5: 'a'.repeat(32) }, '/a.exe'),
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
