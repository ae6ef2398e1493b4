/**
 * A local hunt loads one DuckDB row per hash of a Suricata fileinfo event, and a hit on the event
 * is dropped when one of the hunt's exclusions is true for any of those rows. These tests build
 * packs with `--exclusions` and hunt an eve.json through the command line.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { suricataFileinfoLine } from '../helpers/suricata-events.js';

/** Returns the hex digest of `text` with `algorithm`. */
function hashOf(algorithm: string, text: string): string {
  return createHash(algorithm).update(text).digest('hex');
}

const MD5 = hashOf('md5', 'hello');
const SHA1 = hashOf('sha1', 'hello');
const SHA256 = hashOf('sha256', 'hello');

interface HuntOutput {
  complete: boolean;
  totals: { hits: number; events: number; findings: number };
  findings: Array<{ huntId: string; line: number; indicator: { value: string } }>;
}

describe('exclusions on Suricata file hashes', () => {
  let folder: string;
  let eveFile: string;
  let packCount = 0;

  /**
   * Builds a pack of `family` that looks for `hash`, with one exclusion whose filter is `filter`
   * unless it is undefined, and returns the pack's folder.
   */
  async function buildPack(family: string, hash: string, filter?: string): Promise<string> {
    packCount += 1;
    const feed = join(folder, `feed-${packCount}.txt`);
    await writeFile(feed, `Dropper hash: ${hash}\n`);
    const out = join(folder, `packs-${packCount}`);
    const args = ['build', feed, '--family', family, '--out', out];
    if (filter !== undefined) {
      const exclusions = join(folder, `exclusions-${packCount}.yaml`);
      const quoted = JSON.stringify(filter);
      await writeFile(exclusions, `exclusions:\n  - id: known-file\n    filter: ${quoted}\n`);
      args.push('--exclusions', exclusions);
    }
    const build = await runCli(args);
    assert.equal(build.code, 0, build.stderr);
    return join(out, family.toLowerCase());
  }

  /** Hunts `eveFile` with the packs and returns `line huntId indicator` per finding, sorted. */
  async function findingLines(packFolders: string[]): Promise<string[]> {
    const args = ['hunt', ...packFolders.flatMap((pack) => ['--pack', pack]), eveFile, '--json'];
    args.push('--report', join(folder, 'hunt-report.md'));
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);
    const output = JSON.parse(result.stdout) as HuntOutput;
    assert.equal(output.complete, true);
    return output.findings
      .map((finding) => `${finding.line} ${finding.huntId} ${finding.indicator.value}`)
      .sort();
  }

  before(async () => {
    folder = makeTempDir('suricata-file-hash-exclusions');
    eveFile = join(folder, 'eve.json');
    const lines = [
      suricataFileinfoLine(1, { md5: MD5, sha1: SHA1, sha256: SHA256 }),
      suricataFileinfoLine(2, { md5: MD5 }),
      suricataFileinfoLine(3, { sha256: SHA256 }),
      suricataFileinfoLine(4, { md5: hashOf('md5', 'other'), sha256: hashOf('sha256', 'other') }),
    ];
    await writeFile(eveFile, lines.join('\n') + '\n');
  });

  it('finds all hashed events without exclusions', async () => {
    const md5Pack = await buildPack('Alpha', MD5);
    const sha256Pack = await buildPack('Beta', SHA256);
    assert.deepEqual(await findingLines([md5Pack, sha256Pack]), [
      `1 alpha-sentinel-csl-hash ${MD5}`,
      `1 beta-sentinel-csl-hash ${SHA256}`,
      `2 alpha-sentinel-csl-hash ${MD5}`,
      `3 beta-sentinel-csl-hash ${SHA256}`,
    ]);
  });

  it('removes an MD5 hit by the SHA256', async () => {
    const pack = await buildPack('Alpha', MD5, `FileHash =~ "${SHA256}"`);
    // Line 2 logs the MD5 alone, so the exclusion on the SHA256 cannot see that it is the file.
    assert.deepEqual(await findingLines([pack]), [`2 alpha-sentinel-csl-hash ${MD5}`]);
  });

  it('removes a SHA256 hit by the MD5', async () => {
    const pack = await buildPack('Beta', SHA256, `FileHash == "${MD5}"`);
    assert.deepEqual(await findingLines([pack]), [`3 beta-sentinel-csl-hash ${SHA256}`]);
  });

  it('removes a SHA256 hit by the SHA1', async () => {
    const pack = await buildPack('Beta', SHA256, `FileHash =~ "${SHA1.toUpperCase()}"`);
    assert.deepEqual(await findingLines([pack]), [`3 beta-sentinel-csl-hash ${SHA256}`]);
  });

  it('removes hits by the hunted hash', async () => {
    const pack = await buildPack('Alpha', MD5, `FileHash =~ "${MD5}"`);
    assert.deepEqual(await findingLines([pack]), []);
  });

  it('keeps hits when another term is false', async () => {
    const filter = `FileHash =~ "${SHA256}" and FileName endswith ".txt"`;
    const pack = await buildPack('Alpha', MD5, filter);
    assert.deepEqual(await findingLines([pack]), [
      `1 alpha-sentinel-csl-hash ${MD5}`,
      `2 alpha-sentinel-csl-hash ${MD5}`,
    ]);
  });

  it('removes only the excluding pack hits', async () => {
    const excluding = await buildPack('Alpha', MD5, `FileHash =~ "${SHA256}"`);
    const plain = await buildPack('Beta', SHA256);
    assert.deepEqual(await findingLines([excluding, plain]), [
      `1 beta-sentinel-csl-hash ${SHA256}`,
      `2 alpha-sentinel-csl-hash ${MD5}`,
      `3 beta-sentinel-csl-hash ${SHA256}`,
    ]);
  });

  // A negated exclusion is true for every row whose hash differs from the one it names, so it
  // removes every event that logs two or more hashes, the file it names included. Line 2 logs
  // the MD5 alone, so its one row keeps it.
  const negations = [
    ['!=', `FileHash != "${MD5}"`],
    ['not', `not(FileHash =~ "${MD5}")`],
  ] as const;
  for (const [operator, filter] of negations) {
    it(`removes multi-hash events with ${operator}`, async () => {
      const pack = await buildPack('Alpha', MD5, filter);
      assert.deepEqual(await findingLines([pack]), [`2 alpha-sentinel-csl-hash ${MD5}`]);
    });
  }

  it('keeps event whose hashes !in lists', async () => {
    const pack = await buildPack('Alpha', MD5, `FileHash !in ("${MD5}", "${SHA1}", "${SHA256}")`);
    assert.deepEqual(await findingLines([pack]), [
      `1 alpha-sentinel-csl-hash ${MD5}`,
      `2 alpha-sentinel-csl-hash ${MD5}`,
    ]);
  });

  it('removes event with unlisted hash', async () => {
    // Line 1 also logs the SHA1, which the list leaves out, so its SHA1 row is excluded.
    const pack = await buildPack('Alpha', MD5, `FileHash !in ("${MD5}", "${SHA256}")`);
    assert.deepEqual(await findingLines([pack]), [`2 alpha-sentinel-csl-hash ${MD5}`]);
  });
});
