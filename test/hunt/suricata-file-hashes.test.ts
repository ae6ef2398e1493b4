/**
 * A Suricata fileinfo event logs the MD5, SHA1 and SHA256 of one file, and CommonSecurityLog has
 * one FileHash column. Packs that each look for a different one of those hashes, hunted in one
 * run, must all find the event, which still counts as one event.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import type { Hunt } from '../../src/compile/ir.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { EventPrefilter } from '../../src/hunt/event-prefilter.js';
import { huntsFromFeeds } from '../../src/hunt/hunts-from-feed.js';
import { alternativeRows, type LogEvent } from '../../src/hunt/logs/event.js';
import { readLogs } from '../../src/hunt/logs/read-logs.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { suricataFileinfoLine } from '../helpers/suricata-events.js';

/** The hashes of the downloaded file, computed here so that they are real hashes of one file. */
const FILE = Buffer.from('hello');
const MD5 = createHash('md5').update(FILE).digest('hex');
const SHA1 = createHash('sha1').update(FILE).digest('hex');
const SHA256 = createHash('sha256').update(FILE).digest('hex');

interface HuntOutput {
  complete: boolean;
  totals: { hits: number; events: number; findings: number };
  findings: Array<{
    huntId: string;
    line: number;
    matchedOn: string;
    indicator: { value: string };
    columns: Record<string, unknown>;
  }>;
  stats: { linesRead: number; eventsParsed: number };
  eventsByTable: Record<string, number>;
}

describe('Suricata fileinfo hashes hunted by several packs', () => {
  let folder: string;
  /** Pack folders by the hashes of their feed: one kind each, and MD5 and SHA256 for `both`. */
  const packs: Record<'md5' | 'sha1' | 'sha256' | 'both', string> = {
    md5: '',
    sha1: '',
    sha256: '',
    both: '',
  };
  let eveFile: string;

  /** Builds a pack of `family` from a free-text feed and returns the pack's folder. */
  async function buildPack(family: string, feedText: string): Promise<string> {
    const feed = join(folder, `${family}.txt`);
    await writeFile(feed, feedText);
    const out = join(folder, `packs-${family}`);
    const build = await runCli(['build', feed, '--family', family, '--out', out]);
    assert.equal(build.code, 0, build.stderr);
    return join(out, family.toLowerCase());
  }

  /** Runs `huntpack hunt` with one `--pack` per folder and returns its JSON output. */
  async function hunt(packFolders: string[], log = eveFile): Promise<HuntOutput> {
    const args = ['hunt', ...packFolders.flatMap((pack) => ['--pack', pack]), log, '--json'];
    args.push('--report', join(folder, 'hunt-report.md'));
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as HuntOutput;
  }

  /** Returns `line huntId indicator` of each finding, sorted. */
  function findingLines(output: HuntOutput): string[] {
    return output.findings
      .map((finding) => `${finding.line} ${finding.huntId} ${finding.indicator.value}`)
      .sort();
  }

  before(async () => {
    folder = makeTempDir('suricata-file-hashes');
    packs.md5 = await buildPack('Alpha', `Dropper MD5: ${MD5}\n`);
    packs.sha256 = await buildPack('Beta', `Dropper SHA256: ${SHA256}\n`);
    packs.sha1 = await buildPack('Gamma', `Dropper SHA1: ${SHA1}\n`);
    packs.both = await buildPack('Delta', `Dropper MD5: ${MD5}\nDropper SHA256: ${SHA256}\n`);
    eveFile = join(folder, 'eve.json');
    await writeFile(
      eveFile,
      suricataFileinfoLine(1001, { md5: MD5, sha1: SHA1, sha256: SHA256 }) + '\n',
    );
  });

  for (const order of [
    ['md5', 'sha256'],
    ['sha256', 'md5'],
  ] as const) {
    it(`finds MD5 and SHA256 packs, ${order.join(' first, ')} last`, async () => {
      const output = await hunt(order.map((kind) => packs[kind]));
      assert.deepEqual(findingLines(output), [
        `1 alpha-sentinel-csl-hash ${MD5}`,
        `1 beta-sentinel-csl-hash ${SHA256}`,
      ]);
      assert.equal(output.complete, true);
      for (const finding of output.findings) {
        assert.equal(finding.matchedOn, 'FileHash');
        // The pack's hash hunts project IocHash, shown as the indicator, but not FileHash.
        assert.equal(finding.columns.FileHash, undefined);
        assert.equal(finding.columns.FileName, '/hello.exe');
      }
      assert.deepEqual(output.totals, { hits: 1, events: 1, findings: 2 });
      assert.equal(output.stats.linesRead, 1);
      assert.equal(output.stats.eventsParsed, 1);
      assert.deepEqual(output.eventsByTable, { CommonSecurityLog: 1 });
    });
  }

  it('finds all three hash kinds', async () => {
    const output = await hunt([packs.sha1, packs.md5, packs.sha256]);
    assert.deepEqual(findingLines(output), [
      `1 alpha-sentinel-csl-hash ${MD5}`,
      `1 beta-sentinel-csl-hash ${SHA256}`,
      `1 gamma-sentinel-csl-hash ${SHA1}`,
    ]);
    assert.deepEqual(output.totals, { hits: 1, events: 1, findings: 3 });
    assert.equal(output.stats.eventsParsed, 1);
  });

  it('finds each hash kind with its pack alone', async () => {
    const expected = {
      md5: `1 alpha-sentinel-csl-hash ${MD5}`,
      sha256: `1 beta-sentinel-csl-hash ${SHA256}`,
      sha1: `1 gamma-sentinel-csl-hash ${SHA1}`,
    };
    for (const [kind, line] of Object.entries(expected)) {
      const output = await hunt([packs[kind as keyof typeof expected]]);
      assert.deepEqual(findingLines(output), [line], kind);
      assert.deepEqual(output.totals, { hits: 1, events: 1, findings: 1 }, kind);
    }
  });

  it('finds MD5 and SHA256 in one pack', async () => {
    const output = await hunt([packs.both]);
    assert.deepEqual(findingLines(output), [
      `1 delta-sentinel-csl-hash ${SHA256}`,
      `1 delta-sentinel-csl-hash ${MD5}`,
    ]);
    assert.deepEqual(output.totals, { hits: 1, events: 1, findings: 2 });
  });

  it('skips placeholder hashes', async () => {
    const log = join(folder, 'eve-placeholders.json');
    await writeFile(
      log,
      [
        suricataFileinfoLine(2001, { md5: MD5, sha1: SHA1, sha256: '-' }),
        suricataFileinfoLine(2002, { md5: '-', sha1: '', sha256: 'N/A' }),
        suricataFileinfoLine(2003, { md5: '-', sha256: SHA256 }),
      ].join('\n') + '\n',
    );
    const output = await hunt([packs.md5, packs.sha256, packs.sha1], log);
    assert.deepEqual(findingLines(output), [
      `1 alpha-sentinel-csl-hash ${MD5}`,
      `1 gamma-sentinel-csl-hash ${SHA1}`,
      `3 beta-sentinel-csl-hash ${SHA256}`,
    ]);
    assert.deepEqual(output.totals, { hits: 2, events: 2, findings: 3 });
    assert.equal(output.stats.eventsParsed, 3);
  });
});

describe('Suricata fileinfo hashes in each engine', () => {
  let hunts: Hunt[];
  let folder: string;
  let eveFile: string;

  before(async () => {
    folder = makeTempDir('suricata-file-hash-engines');
    const md5Feed = join(folder, 'md5.txt');
    const sha256Feed = join(folder, 'sha256.txt');
    await writeFile(md5Feed, `Dropper MD5: ${MD5}\n`);
    await writeFile(sha256Feed, `Dropper SHA256: ${SHA256}\n`);
    const md5Hunts = (await huntsFromFeeds([md5Feed], { defaultFamily: 'Alpha' })).hunts;
    const sha256Hunts = (await huntsFromFeeds([sha256Feed], { defaultFamily: 'Beta' })).hunts;
    hunts = [...md5Hunts, ...sha256Hunts].filter(
      (hunt) => hunt.source.table === 'CommonSecurityLog',
    );
    assert.equal(hunts.length, 2, hunts.map((hunt) => hunt.id).join(', '));
    eveFile = join(folder, 'eve.json');
    await writeFile(
      eveFile,
      [
        suricataFileinfoLine(1001, { md5: MD5, sha1: SHA1, sha256: SHA256 }),
        suricataFileinfoLine(1002, { md5: 'a'.repeat(32), sha256: 'b'.repeat(64) }),
      ].join('\n') + '\n',
    );
  });

  it('prefilter keeps only the hunted event', async () => {
    const reader = readLogs([eveFile], { filter: EventPrefilter.of(hunts) });
    const events: LogEvent[] = [];
    for await (const event of reader) events.push(event);
    assert.deepEqual(
      events.map((event) => event.source.line),
      [1],
    );
    assert.equal(reader.stats.eventsParsed, 2);
    assert.deepEqual(reader.stats.eventsByTable, { CommonSecurityLog: 2 });
  });

  it('DuckDB and evaluator agree', async () => {
    const reader = readLogs([eveFile]);
    const rows: Array<Record<string, unknown>> = [];
    for await (const event of reader) rows.push(event.columns, ...alternativeRows(event.columns));
    // Line 1 logs three hashes and line 2 two, each of which gets a row.
    assert.equal(rows.length, 5);
    const session = await DuckDbHuntSession.open(hunts);
    try {
      const sides = await hitsOnBothSides(session, hunts, 'CommonSecurityLog', rows);
      assert.deepEqual(sides.duckdb, sides.reference);
      const huntsHit = sides.duckdb.map((hit) => hit.split('|')[0]).sort();
      assert.deepEqual(huntsHit, ['alpha-sentinel-csl-hash', 'beta-sentinel-csl-hash']);
    } finally {
      session.close();
    }
  });

  it('projects the hash that matched into FileHash', async () => {
    const projecting = hunts.map((hunt) => ({ ...hunt, project: [...hunt.project, 'FileHash'] }));
    const result = await huntLogs(projecting, [eveFile]);
    const hashes = result.findings.map(
      (finding) => `${finding.huntId} ${String(finding.columns.FileHash)}`,
    );
    assert.deepEqual(hashes.sort(), [
      `alpha-sentinel-csl-hash ${MD5}`,
      `beta-sentinel-csl-hash ${SHA256}`,
    ]);
    assert.deepEqual(result.huntsRun.sort(), ['alpha-sentinel-csl-hash', 'beta-sentinel-csl-hash']);
    assert.deepEqual(result.eventsByTable, { CommonSecurityLog: 2 });
  });
});
