/**
 * `huntpack hunt` runs that read nothing, or not all of their logs: the summary line on stdout,
 * the exit status and the earlier hunt report. Also pack folders given as log inputs, and build
 * options given to hunt.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import { DATA_SOURCES } from '../../src/pipeline/data-sources.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { runCli } from '../helpers/cli.js';
import { edgeHunts, makeIndicators } from '../helpers/hunt-fixtures.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

/** A connection to 203.0.113.7:443, an indicator of the edge hunts. */
const HIT =
  'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50000 dst=203.0.113.7 dpt=443 act=allow rt=1659523775038\n';
/** A connection to an address that no edge hunt names. */
const MISS =
  'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50001 dst=192.0.2.50 dpt=443 act=allow rt=1659523775038\n';

const EARLIER_REPORT = '# Hunt report: Remcos\n\nThe earlier run.\n';

/** Writes a pack folder that contains only pack.json with the forms of `hunts`, as build writes it. */
async function writePack(folder: string, hunts: Hunt[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  const entries = hunts.map((hunt) => ({ id: hunt.id, form: hunt }));
  await writeFile(join(folder, 'pack.json'), JSON.stringify({ hunts: entries }));
}

// Hash hunts over the Defender tables only: no log of these tests fills them.
// (CommonSecurityLog's FileHash would give CEF and Suricata logs a hash hunt.)
const FILE_TABLES_ONLY = DATA_SOURCES.filter((source) => source.table !== 'CommonSecurityLog');

describe('huntpack hunt with failed inputs', () => {
  let folder: string;
  let pack: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-incomplete');
    pack = join(folder, 'pack');
    await writePack(pack, edgeHunts());
    await writeFile(join(folder, 'hit.log'), HIT);
    await writeFile(join(folder, 'miss.log'), MISS);
    await writeFile(join(folder, 'empty.log'), '');
    await writeFile(join(folder, 'blank.log'), '\n\n  \n');
    await mkdir(join(folder, 'empty-folder'));
    await writeFile(join(folder, 'binary.dat'), Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0, 3]));
    await writeFile(join(folder, 'notes.txt'), 'hello world\nthis is not a log\n');
    await writeFile(
      join(folder, 'custom.csv'),
      'when,src,dst,dport,host\n2022-08-03T10:49:35Z,10.1.1.1,203.0.113.7,443,ws1\n' +
        '2022-08-03T10:49:36Z,10.1.1.2,192.0.2.9,53,ws2\n',
    );
  });

  /** Runs a hunt of the pack over `logs` with --json, and lists the failed inputs' codes and files. */
  async function runJsonHunt(logs: string[]) {
    const result = await runCli(['hunt', '--pack', 'pack', '--json', ...logs], { cwd: folder });
    const parsed = JSON.parse(result.stdout) as {
      complete: boolean;
      failedInputs: Array<{ code: string; source: { file: string } }>;
      findings: unknown[];
    };
    const failed = parsed.failedInputs.map((issue) => [issue.code, issue.source.file]);
    return { ...result, parsed, failed };
  }

  /** Writes the earlier report into the pack and returns a check that it is still there, unchanged. */
  async function plantEarlierReport(): Promise<() => Promise<void>> {
    await writeFile(join(pack, 'hunt-report.md'), EARLIER_REPORT);
    return async () => {
      assert.equal(await readFile(join(pack, 'hunt-report.md'), 'utf8'), EARLIER_REPORT);
      assert.deepEqual((await readdir(pack)).sort(), ['hunt-report.md', 'pack.json']);
    };
  }

  it('exits 0 on clean logs', async () => {
    await plantEarlierReport();
    const result = await runCli(['hunt', '--pack', 'pack', 'miss.log'], { cwd: folder });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'No findings: no event matched an indicator.\n');
    assert.match(result.stderr, /records read 1 = events parsed 1 \+/);
    assert.match(result.stderr, /wrote hunt report /);
    assert.notEqual(await readFile(join(pack, 'hunt-report.md'), 'utf8'), EARLIER_REPORT);
  });

  it('reports missing log as incomplete', async () => {
    const unchanged = await plantEarlierReport();
    const result = await runCli(['hunt', '--pack', 'pack', 'missing.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: 1 log input failed: missing.log (PATH_NOT_FOUND). 0 events were read ' +
        'from the rest. Nothing was checked.\n',
    );
    assert.doesNotMatch(result.stdout, /No findings/);
    assert.match(result.stderr, /error PATH_NOT_FOUND: No log file found at /);
    assert.match(
      result.stderr,
      /huntpack: the hunt report was not written because 1 log input could not be read in full\. An earlier report is left as it was\.\n/,
    );
    await unchanged();
  });

  it('reports unreadable inputs as incomplete', async () => {
    const cases: Array<[input: string, code: string]> = [
      ['empty-folder', 'PATH_NOT_FOUND'],
      ['binary.dat', 'BINARY_FILE'],
      ['notes.txt', 'UNKNOWN_LOG_FORMAT'],
    ];
    for (const [input, code] of cases) {
      const unchanged = await plantEarlierReport();
      const result = await runCli(['hunt', '--pack', 'pack', input], { cwd: folder });
      assert.equal(result.code, 2, `${input}: ${result.stderr}`);
      assert.equal(
        result.stdout,
        `Incomplete hunt: 1 log input failed: ${input} (${code}). 0 events were read from the ` +
          'rest. Nothing was checked.\n',
      );
      assert.match(result.stderr, new RegExp(`error ${code}: `));
      assert.doesNotMatch(result.stderr, /wrote hunt report/);
      await unchanged();
    }
  });

  it('prints findings and failed input', async () => {
    const unchanged = await plantEarlierReport();
    const result = await runCli(['hunt', '--pack', 'pack', 'hit.log', 'missing.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^TIME +HUNT +MATCHED ON +INDICATOR/);
    assert.match(result.stdout, /hit\.log:1/);
    assert.match(
      result.stdout,
      /\n\nIncomplete hunt: 1 log input failed: missing\.log \(PATH_NOT_FOUND\)\. 1 event was read from the rest\. The findings above come from the events that could be read\.\n$/,
    );
    await unchanged();
  });

  it('qualifies a clean partial result', async () => {
    const result = await runCli(
      ['hunt', '--pack', 'pack', '--fail-on-match', 'miss.log', 'notes.txt'],
      { cwd: folder },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: 1 log input failed: notes.txt (UNKNOWN_LOG_FORMAT). 1 event was read ' +
        'from the rest. None of the events read matched an indicator, but the failed inputs ' +
        'were not checked in full.\n',
    );
  });

  it('fails over an empty log', async () => {
    const unchanged = await plantEarlierReport();
    const result = await runCli(['hunt', '--pack', 'pack', 'empty.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: 1 log input failed: empty.log (NO_EVENTS). 0 events were read from ' +
        'the rest. Nothing was checked.\n',
    );
    const file = join(folder, 'empty.log');
    assert.ok(
      result.stderr.includes(
        `${file}: error NO_EVENTS: No event was read from "${file}": the file is empty.\n`,
      ),
      result.stderr,
    );
    assert.match(
      result.stderr,
      /the hunt report was not written because no event was read from the logs, so the hunts checked nothing\./,
    );
    assert.doesNotMatch(result.stderr, /wrote hunt report/);
    await unchanged();
  });

  it('warns about an empty log beside others', async () => {
    await plantEarlierReport();
    const result = await runCli(['hunt', '--pack', 'pack', 'miss.log', 'empty.log', 'blank.log'], {
      cwd: folder,
    });
    // The other log was hunted, so the run is complete, but the empty ones are named.
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'No findings: no event matched an indicator.\n');
    const cases: Array<[name: string, reason: string]> = [
      ['empty.log', 'the file is empty'],
      ['blank.log', '3 lines read, 0 rejected and 3 skipped'],
    ];
    for (const [name, reason] of cases) {
      const file = join(folder, name);
      assert.ok(
        result.stderr.includes(
          `${file}: warning NO_EVENTS: No event was read from "${file}": ${reason}. Check that ` +
            'its export did not fail. The other logs were hunted.\n',
        ),
        result.stderr,
      );
    }
    const report = await readFile(join(pack, 'hunt-report.md'), 'utf8');
    assert.match(report, /\n- Logs that gave no event, so nothing in them was hunted: 2\n/);
    assert.ok(report.includes(`  - \`${join(folder, 'empty.log')}\`: the file is empty\n`), report);

    const json = await runCli(['hunt', '--pack', 'pack', '--json', 'miss.log', 'empty.log'], {
      cwd: folder,
    });
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      complete: boolean;
      inputsWithoutEvents: Array<{ code: string; source: { file: string } }>;
    };
    assert.equal(parsed.complete, true);
    assert.deepEqual(
      parsed.inputsWithoutEvents.map((issue) => [issue.code, issue.source.file]),
      [['NO_EVENTS', join(folder, 'empty.log')]],
    );
  });

  it('fails logs without compared values', async () => {
    // A CSV export whose columns have other names, and CEF events that name no address.
    await writeFile(
      join(folder, 'renamed.csv'),
      'TimeGenerated,DeviceVendor,DeviceProduct,dst_ip,dst_port\n' +
        '2022-08-03T10:49:35Z,Fortinet,FortiGate,203.0.113.7,443\n',
    );
    await writeFile(
      join(folder, 'logins.log'),
      'CEF:0|Acme|FW|1.0|7|Login|5|suser=admin rt=1659523775038\n'.repeat(2),
    );
    // Values that no hunt could match: a host name without a dot, a path without a host, and
    // a hash that is no digest.
    await writeFile(
      join(folder, 'words.log'),
      'CEF:0|Acme|Proxy|1.0|1|Web|5|dhost=unknown request=/gate.php fileHash=0 rt=1659523775038\n',
    );
    const unchanged = await plantEarlierReport();

    const result = await runJsonHunt(['hit.log', 'renamed.csv', 'logins.log', 'words.log']);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.parsed.complete, false);
    assert.deepEqual(result.failed, [
      ['NO_COMPARED_VALUES', join(folder, 'renamed.csv')],
      ['NO_COMPARED_VALUES', join(folder, 'logins.log')],
      ['NO_COMPARED_VALUES', join(folder, 'words.log')],
    ]);
    const parsed = result.parsed;

    // The log with values was still hunted.
    assert.equal(parsed.findings.length > 0, true);
    const file = join(folder, 'logins.log');
    assert.ok(
      result.stderr.includes(
        `${file}: error NO_COMPARED_VALUES: No event of "${file}" has a value in `,
      ),
      result.stderr,
    );
    assert.match(
      result.stderr,
      /the columns that hunts of CommonSecurityLog compare, so its 2 events were checked against nothing/,
    );
    // The advice fits the format: CEF keys are fixed, and a CSV export can be mapped.
    assert.match(
      result.stderr,
      /logins\.log.*keys of their own, such as dst_ip, stay in AdditionalExtensions/,
    );
    assert.match(result.stderr, /renamed\.csv.*or name its fields with --map\./);
    assert.match(
      result.stderr,
      /the hunt report was not written because the events of 3 logs had no value in the columns that the hunts compare\./,
    );
    await unchanged();
  });

  it("keeps a log without this pack's columns", async () => {
    // A hash pack over a connection log: its events have addresses, but no file hash.
    const hash = 'c0ffee00'.repeat(4);
    const hashPack = join(folder, 'hash-only-pack');
    const hunts = buildHunts(makeIndicators([['md5', hash]]), {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    });
    await writePack(hashPack, hunts);
    await writeFile(
      join(folder, 'file.log'),
      `CEF:0|Acme|AV|1.0|1|Detected|5|fileHash=${hash} fname=x.exe rt=1659523775038\n`,
    );

    const result = await runCli(['hunt', '--pack', 'hash-only-pack', 'file.log', 'miss.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /NO_COMPARED_VALUES/);
    assert.match(result.stdout, /remcos-sentinel-csl-hash/);
  });

  it('fails when no log gives events', async () => {
    const unchanged = await plantEarlierReport();
    const result = await runCli(['hunt', '--pack', 'pack', 'empty.log', 'blank.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: 2 log inputs failed: empty.log (NO_EVENTS), blank.log (NO_EVENTS). ' +
        '0 events were read from the rest. Nothing was checked.\n',
    );
    assert.match(result.stderr, /blank\.log": 3 lines read, 0 rejected and 3 skipped\.\n/);
    assert.match(result.stderr, /\nrecords skipped by reason: BLANK_LINE 3\n/);
    await unchanged();
  });

  it('marks JSON output incomplete', async () => {
    const result = await runJsonHunt(['empty.log']);
    assert.equal(result.code, 2, result.stderr);
    const parsed = result.parsed;
    assert.equal(parsed.complete, false);
    assert.deepEqual(result.failed, [['NO_EVENTS', join(folder, 'empty.log')]]);
    assert.deepEqual(parsed.findings, []);

    const clean = await runCli(['hunt', '--pack', 'pack', '--json', 'miss.log'], {
      cwd: folder,
    });
    assert.equal(clean.code, 0, clean.stderr);
    const cleanParsed = JSON.parse(clean.stdout) as { complete: boolean; failedInputs: unknown[] };
    assert.equal(cleanParsed.complete, true);
    assert.deepEqual(cleanParsed.failedInputs, []);
  });

  it('fails with a wrong --map', async () => {
    const mapped = await runCli(
      [
        'hunt',
        '--pack',
        'pack',
        '--map',
        'DestinationIP=dst',
        '--map',
        'DestinationPort=dport',
        '--map',
        'TimeGenerated=when',
        'custom.csv',
      ],
      { cwd: folder },
    );
    // The file gives a finding with the right map, so the wrong one below is the only cause.
    assert.equal(mapped.code, 0, mapped.stderr);
    assert.match(mapped.stdout, /custom\.csv:2/);

    const unchanged = await plantEarlierReport();
    const result = await runCli(
      ['hunt', '--pack', 'pack', '--map', 'DestinationIP=nope', 'custom.csv'],
      { cwd: folder },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: 1 log input failed: custom.csv (MAPPED_FIELDS_NOT_FOUND). 0 events ' +
        'were read from the rest. Nothing was checked.\n',
    );
    assert.match(
      result.stderr,
      /error MAPPED_FIELDS_NOT_FOUND: CSV header has none of the mapped fields "nope"/,
    );
    assert.match(
      result.stderr,
      /the hunt report was not written because 1 log has none of the --map fields\./,
    );
    assert.doesNotMatch(result.stderr, /wrote hunt report/);
    await unchanged();
  });

  it('fails when one --map field is missing', async () => {
    const unchanged = await plantEarlierReport();
    // The header has dport and when, but the addresses are in "dst", not "server".
    const result = await runCli(
      [
        'hunt',
        '--pack',
        'pack',
        '--map',
        'DestinationIP=server',
        '--map',
        'DestinationPort=dport',
        '--map',
        'TimeGenerated=when',
        'custom.csv',
      ],
      { cwd: folder },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: 1 log input failed: custom.csv (MAPPED_FIELD_MISSING). 2 events were ' +
        'read from the failed input. None of the events read matched an indicator, but the ' +
        'failed inputs were not checked in full.\n',
    );
    assert.match(
      result.stderr,
      /custom\.csv:1: error MAPPED_FIELD_MISSING: CSV header has no column "server" \(--map DestinationIP=server\)/,
    );
    assert.match(
      result.stderr,
      /the hunt report was not written because 1 log lacks some of the --map fields, so their columns were not checked\./,
    );
    assert.doesNotMatch(result.stderr, /could not be read in full/);
    await unchanged();

    await writeFile(
      join(folder, 'partial.json'),
      '{"when":"2022-08-03T10:49:35Z","dst":"203.0.113.7","dport":443}\n',
    );
    const json = await runCli(
      [
        'hunt',
        '--pack',
        'pack',
        '--json',
        '--map',
        'DestinationIP=destination.ip',
        '--map',
        'DestinationPort=dport',
        'partial.json',
      ],
      { cwd: folder },
    );
    assert.equal(json.code, 2, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      complete: boolean;
      failedInputs: Array<{ code: string }>;
    };
    assert.equal(parsed.complete, false);
    assert.deepEqual(
      parsed.failedInputs.map((issue) => issue.code),
      ['MAPPED_FIELD_MISSING'],
    );
    assert.match(
      json.stderr,
      /has no field "destination\.ip" \(--map DestinationIP=destination\.ip\)/,
    );
  });

  it('fails with a wrong --map on JSON', async () => {
    await writeFile(
      join(folder, 'custom.json'),
      '[{"when":"2022-08-03T10:49:35Z","dst":"203.0.113.7","dport":443},\n' +
        ' {"when":"2022-08-03T10:49:36Z","dst":"192.0.2.9","dport":53}]\n',
    );
    const mapped = await runCli(
      [
        'hunt',
        '--pack',
        'pack',
        '--map',
        'DestinationIP=dst',
        '--map',
        'DestinationPort=dport',
        'custom.json',
      ],
      { cwd: folder },
    );
    // The file gives a finding with the right map, so the wrong one below is the only cause.
    assert.equal(mapped.code, 0, mapped.stderr);
    assert.match(mapped.stdout, /custom\.json:1/);

    const unchanged = await plantEarlierReport();
    const result = await runCli(
      ['hunt', '--pack', 'pack', '--map', 'DestinationIP=nope', 'custom.json', 'miss.log'],
      { cwd: folder },
    );
    assert.equal(result.code, 2, result.stderr);
    // The events of the JSON file are empty, so only the event of miss.log was checked.
    assert.equal(
      result.stdout,
      'Incomplete hunt: 1 log input failed: custom.json (MAPPED_FIELDS_NOT_FOUND). 1 event was ' +
        'read from the rest. None of the events read matched an indicator, but the failed ' +
        'inputs were not checked in full.\n',
    );
    assert.match(
      result.stderr,
      /error MAPPED_FIELDS_NOT_FOUND: JSON log ".*custom\.json" has none of the mapped fields "nope" in any of its 2 JSON objects/,
    );
    assert.match(
      result.stderr,
      /the hunt report was not written because 1 log has none of the --map fields\./,
    );
    assert.doesNotMatch(result.stderr, /could not be read in full/);
    assert.doesNotMatch(result.stderr, /wrote hunt report/);
    await unchanged();

    const json = await runCli(
      ['hunt', '--pack', 'pack', '--json', '--map', 'DestinationIP=nope', 'custom.json'],
      { cwd: folder },
    );
    assert.equal(json.code, 2, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      complete: boolean;
      failedInputs: Array<{ code: string }>;
    };
    assert.equal(parsed.complete, false);
    assert.deepEqual(
      parsed.failedInputs.map((issue) => issue.code),
      ['MAPPED_FIELDS_NOT_FOUND'],
    );
  });

  it('fails when no hunt ran', async () => {
    const md5Pack = join(folder, 'md5-pack');
    const md5Hunts = buildHunts(makeIndicators([['md5', 'c0ffee00'.repeat(4)]]), {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
      dataSources: FILE_TABLES_ONLY,
    });
    await writePack(md5Pack, md5Hunts);
    await writeFile(join(md5Pack, 'hunt-report.md'), EARLIER_REPORT);
    // A Zeek DNS log, which no hash hunt searches.
    await writeFile(
      join(folder, 'dns.log'),
      '#separator \\x09\n#path\tdns\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tqtype_name\trcode\tanswers\n' +
        '1704067400.0\tD1\t10.0.0.6\t5353\t10.0.0.53\t53\tudp\tc2.example\tA\t0\t203.0.113.7\n',
    );

    const result = await runCli(['hunt', '--pack', 'md5-pack', 'dns.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: no hunt ran, because the logs contain only DnsEvents (1 event), and the ' +
        'hunts search DeviceNetworkEvents, DeviceFileEvents, DeviceProcessEvents and DeviceImageLoadEvents. Nothing was ' +
        'checked.\n',
    );
    assert.match(result.stderr, /hunts run: 0; hits: 0; events matched: 0; findings: 0\n/);
    assert.match(
      result.stderr,
      /the hunt report was not written because no hunt searches the events of these logs/,
    );
    assert.equal(await readFile(join(md5Pack, 'hunt-report.md'), 'utf8'), EARLIER_REPORT);
  });

  it('fails when one pack ran no hunt', async () => {
    const hashPack = join(folder, 'hash-pack');
    const hashHunts = buildHunts(makeIndicators([['md5', 'c0ffee00'.repeat(4)]], 'Kuiper'), {
      family: 'Kuiper',
      familySlug: 'kuiper',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
      dataSources: FILE_TABLES_ONLY,
    });
    await writePack(hashPack, hashHunts);
    await writeFile(join(hashPack, 'hunt-report.md'), EARLIER_REPORT);
    const unchanged = await plantEarlierReport();

    const result = await runCli(['hunt', '--pack', 'pack', '--pack', 'hash-pack', 'hit.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 2, result.stderr);
    // The hunts of the other pack ran, and their findings are printed.
    assert.match(result.stdout, /hit\.log:1/);
    assert.match(
      result.stdout,
      /\n\nIncomplete hunt: no hunt of pack hash-pack \(Kuiper\) ran, because its hunts search DeviceNetworkEvents, DeviceFileEvents, DeviceProcessEvents and DeviceImageLoadEvents, and the logs contain only CommonSecurityLog \(1 event\)\. Its indicators were not checked\.\n$/,
    );
    assert.doesNotMatch(result.stdout, /No findings/);
    assert.match(
      result.stderr,
      /no hunt reports were written because no hunt of pack hash-pack \(Kuiper\) ran on the events of these logs/,
    );
    assert.doesNotMatch(result.stderr, /wrote hunt report/);
    await unchanged();
    assert.equal(await readFile(join(hashPack, 'hunt-report.md'), 'utf8'), EARLIER_REPORT);

    const json = await runCli(
      ['hunt', '--json', '--pack', 'pack', '--pack', 'hash-pack', 'hit.log'],
      { cwd: folder },
    );
    assert.equal(json.code, 2, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      complete: boolean;
      sourcesWithoutHunts: string[];
      findings: unknown[];
    };
    assert.equal(parsed.complete, false);
    assert.deepEqual(parsed.sourcesWithoutHunts, ['pack hash-pack (Kuiper)']);
    assert.ok(parsed.findings.length > 0);
  });
});

describe('huntpack hunt with pack folders as logs', () => {
  let folder: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-pack-logs');
    for (const name of ['amos', 'remcos', 'vidar', 'xworm']) {
      await writePack(join(folder, 'packs', name), edgeHunts());
    }
    await writeFile(join(folder, 'fw.log'), HIT);
  });

  it('rejects pack folders from a shell glob', async () => {
    // What the shell makes of `--pack packs/* fw.log`.
    const args = ['hunt', '--pack', 'packs/amos', 'packs/remcos', 'packs/vidar', 'packs/xworm'];
    const result = await runCli([...args, 'fw.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'huntpack: 3 log inputs are pack folders (they contain pack.json), not logs: packs/remcos, ' +
        'packs/vidar, packs/xworm. No log was read. Pass each pack with its own --pack. The ' +
        'option is repeatable, and one run hunts every pack given and writes a hunt report ' +
        'into each pack folder, for example:\n' +
        '  huntpack hunt --pack packs/amos --pack packs/remcos --pack ... fw.log\n' +
        'Run "huntpack hunt --help" for usage.\n',
    );
    for (const name of ['amos', 'remcos', 'vidar', 'xworm']) {
      assert.deepEqual(await readdir(join(folder, 'packs', name)), ['pack.json']);
    }
  });

  it('rejects a single pack folder as log', async () => {
    const result = await runCli(['hunt', 'packs/remcos', 'fw.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^huntpack: The log input packs\/remcos is a pack folder \(it contains pack\.json\), not a log\. No log was read\./,
    );
    assert.match(result.stderr, /\n {2}huntpack hunt --pack packs\/remcos fw\.log\n/);
    assert.doesNotMatch(result.stderr, /UNKNOWN_LOG_FORMAT|Missing hunts/);
  });

  it('rejects a folder of packs as log', async () => {
    const result = await runCli(['hunt', '--pack', 'packs/amos', 'packs', 'fw.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^huntpack: The log input packs contains pack folders, not logs: packs\/amos, packs\/remcos, packs\/vidar, packs\/xworm\. No log was read\./,
    );
    assert.doesNotMatch(result.stderr, /UNKNOWN_LOG_FORMAT/);
  });

  it('rejects a folder of packs as --pack', async () => {
    const result = await runCli(['hunt', '--pack', 'packs', 'fw.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      'huntpack: --pack packs has no pack.json, but its subfolders are packs, one per family ' +
        'as "huntpack build" writes them: packs/amos, packs/remcos and 2 more packs. Pass one ' +
        "family's folder, such as --pack packs/amos. --pack can be given several times to hunt " +
        'several packs in one run.\n' +
        'Run "huntpack hunt --help" for usage.\n',
    );
    assert.doesNotMatch(result.stderr, /Build it with/);
  });

  it('hunts every pack of repeated --pack', async () => {
    const packs = ['amos', 'remcos', 'vidar', 'xworm'].flatMap((name) => [
      '--pack',
      `packs/${name}`,
    ]);
    const result = await runCli(['hunt', ...packs, 'fw.log'], { cwd: folder });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /fw\.log:1/);
    for (const name of ['amos', 'remcos', 'vidar', 'xworm']) {
      const report = await readFile(join(folder, 'packs', name, 'hunt-report.md'), 'utf8');
      assert.match(report, /fw\.log/);
    }
  });
});

describe('huntpack hunt with build options', () => {
  it('rejects build options with advice', async () => {
    const log = join(makeTempDir('cli-hunt-build-options'), 'fw.log');
    await writeFile(log, MISS);
    const one = await runCli(['hunt', '--feed', FEED, '--max-age', '30', log]);
    assert.equal(one.code, 2);
    assert.equal(one.stdout, '');
    assert.match(
      one.stderr,
      /^huntpack: --max-age is an option of "huntpack build", not of "huntpack hunt"\. A --pack keeps the indicators, allowlists and exclusions it was built with, and --feed builds its hunts with the built-in allowlists and the default exclusions\. To hunt with it, pass it to "huntpack build" and hunt the pack folder it writes with --pack\.\n/,
    );
    const several = await runCli([
      'hunt',
      '--feed',
      FEED,
      '--allowlist',
      'mine.txt',
      '--exclusions',
      'mine.yaml',
      '--disable-allowlist',
      'cloudflare',
      '--all-attributes',
      log,
    ]);
    assert.equal(several.code, 2);
    assert.match(
      several.stderr,
      /^huntpack: --allowlist, --disable-allowlist, --exclusions and --all-attributes are options of "huntpack build"/,
    );
    assert.doesNotMatch(several.stderr, /unknown option/);
  });

  it('explains the options in the help', async () => {
    const result = await runCli(['hunt', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--pack and --feed are repeatable and can be combined\./);
    assert.match(
      result.stdout,
      /\n {4}huntpack hunt --pack packs\/remcos --pack packs\/asyncrat conn\.log\n/,
    );
    assert.match(
      result.stdout,
      /--max-age, --allowlist, --disable-allowlist, --exclusions and\n {2}--all-attributes apply to "huntpack build" only/,
    );
    assert.match(result.stdout, /starts with "Incomplete\s+hunt" in place of "No findings"/);
    // The build options are accepted only to reject them, so the option list leaves them out.
    const options = result.stdout.slice(
      result.stdout.indexOf('Options:'),
      result.stdout.indexOf('Packs and feeds:'),
    );
    assert.match(options, /--no-builtin-allowlists/);
    assert.doesNotMatch(
      options,
      /--(max-age|allowlist|disable-allowlist|exclusions|all-attributes)\b/,
    );
  });
});
