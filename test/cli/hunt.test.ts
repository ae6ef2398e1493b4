import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFieldMap } from '../../src/cli/hunt-options.js';
import { HIT_COUNTS_NOTE } from '../../src/hunt/format-findings.js';
import { runCli } from '../helpers/cli.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { edgeHunts, makeIndicators } from '../helpers/hunt-fixtures.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');
const HARD_CEF = repoFile('test/fixtures/logs/cef/hard-cases.log');
/** A real Barracuda line with a RatonRAT C2 from the bundled ThreatFox export as destination. */
const C2 = { address: '158.160.75.185', port: 40432 };

describe('huntpack hunt', () => {
  let folder: string;
  let planted: string;
  let pack: string;

  before(async () => {
    folder = makeTempDir('cli-hunt');
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    planted = join(folder, 'fw.log');
    const line = lines[0]!.replace('dst=- dpt=9049', `dst=${C2.address} dpt=${C2.port}`);
    await writeFile(planted, [...lines, line].join('\n') + '\n');

    // A pack folder as "huntpack build" writes it, holding only the hunt forms.
    pack = join(folder, 'pack');
    await mkdir(pack);
    const hunts = edgeHunts().map((hunt) => ({ id: hunt.id, form: hunt }));
    await writeFile(join(pack, 'pack.json'), JSON.stringify({ hunts }));
  });

  it('prints findings on stdout and counts on stderr', async () => {
    const result = await runCli(['hunt', '--feed', FEED, '--year', '2024', planted]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^TIME +HUNT +MATCHED ON +INDICATOR/);
    assert.match(
      result.stdout,
      /ratonrat-sentinel-csl-port-aware +destination +158\.160\.75\.185:40432/,
    );
    assert.match(result.stdout, /fw\.log:6/);
    assert.match(result.stdout, /\nHOST +HITS +EVENTS +FIRST HIT +LAST HIT/);
    assert.ok(
      result.stdout.endsWith(`\n\n${HIT_COUNTS_NOTE}\n`),
      `no note after the host table:\n${result.stdout}`,
    );
    assert.equal(result.stdout.split(HIT_COUNTS_NOTE).length, 2);
    assert.match(result.stderr, /records read 6 = events parsed 6 \+ rejected 0 \+ skipped 0/);
    // The port-aware and the address-only hunt matched one event.
    assert.match(result.stderr, /; hits: 1; events matched: 1; findings: 2\n/);
    assert.doesNotMatch(result.stdout, /records read/);
  });

  it('counts a Suricata flow as one hit', async () => {
    // A flow record and three alerts of one flow to the C2, as Suricata logs them.
    const flow = {
      flow_id: 1234567,
      src_ip: '10.0.0.5',
      src_port: 50000,
      dest_ip: C2.address,
      dest_port: C2.port,
      proto: 'TCP',
    };
    const records = [
      { ...flow, timestamp: '2026-04-10T10:00:00.000000+0000', event_type: 'flow', flow: {} },
      ...[1, 2, 3].map((second) => ({
        ...flow,
        timestamp: `2026-04-10T10:00:0${second}.000000+0000`,
        event_type: 'alert',
        alert: { action: 'allowed', signature_id: 2000 + second, signature: 'test alert' },
      })),
    ];
    const eve = join(folder, 'eve.json');
    await writeFile(eve, records.map((record) => JSON.stringify(record)).join('\n') + '\n');

    const text = await runCli(['hunt', '--feed', FEED, eve]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stderr, /; hits: 1; events matched: 4; findings: 8\n/);
    assert.match(text.stdout, /\n158\.160\.75\.185:40432 +1 +4 +/);
    assert.match(text.stdout, /\n10\.0\.0\.5 +1 +4 +/);

    const json = await runCli(['hunt', '--feed', FEED, '--json', eve]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { totals: unknown; findings: unknown[] };
    assert.deepEqual(parsed.totals, { hits: 1, events: 4, findings: 8 });
    assert.equal(parsed.findings.length, 8);
  });

  it('finds the same on parsing threads as on the main thread', async () => {
    // Over 32 MB, so that the file is cut into ranges for the parsing threads, with planted
    // lines and rejected lines spread through it.
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    const big = join(folder, 'big.log');
    const out: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 33 * 1024 * 1024; i++) {
      let line = lines[i % lines.length]!;
      if (i % 5003 === 7) line = line.replace('dst=- dpt=9049', `dst=${C2.address} dpt=${C2.port}`);
      if (i % 7001 === 11) line = 'not a CEF line';
      out.push(line);
      bytes += line.length + 1;
    }
    await writeFile(big, out.join('\n') + '\n');
    const args = ['hunt', '--feed', FEED, '--year', '2024', '--timezone', 'UTC', '--json', big];
    const threaded = await runCli([...args, '--threads', '2']);
    const single = await runCli([...args, '--threads', '0']);
    assert.equal(threaded.code, 0, threaded.stderr);
    assert.equal(single.code, 0, single.stderr);
    const parsed = JSON.parse(threaded.stdout) as { findings: unknown[]; stats: unknown };
    assert.ok(parsed.findings.length >= 10, `${parsed.findings.length} findings`);
    assert.deepEqual(parsed, JSON.parse(single.stdout));
    assert.match(threaded.stderr, / rejected [1-9]/);
    assert.equal(threaded.stderr, single.stderr);
  });

  it('exits 1 with findings when asked', async () => {
    const result = await runCli(['hunt', '--feed', FEED, '--fail-on-match', planted]);
    assert.equal(result.code, 1);
    const clean = await runCli(['hunt', '--feed', FEED, '--fail-on-match', CEF]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, 'No findings: no event matched an indicator.\n');
  });

  it('prints JSON and CSV', async () => {
    const json = await runCli(['hunt', '--feed', FEED, '--json', planted]);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      totals: { hits: number; events: number; findings: number };
      findings: Array<{ huntId: string; line: number; indicator: { value: string } }>;
      byHost: Array<{ key: string; hits: number }>;
      stats: { linesRead: number };
    };
    assert.deepEqual(parsed.findings.map((finding) => finding.indicator.value).sort(), [
      C2.address,
      `${C2.address}:${C2.port}`,
    ]);
    // The port-aware and the address-only hunt matched one event, which is one hit with two
    // findings.
    assert.deepEqual(parsed.totals, { hits: 1, events: 1, findings: 2 });
    assert.deepEqual(parsed.byHost, [
      {
        key: '101.173.234.143',
        hits: 1,
        events: 1,
        findings: 2,
        firstHit: '2022-08-03T10:49:35.038Z',
        lastHit: '2022-08-03T10:49:35.038Z',
        related: [C2.address, `${C2.address}:${C2.port}`],
        families: ['RatonRAT'],
      },
    ]);
    const csv = await runCli(['hunt', '--feed', FEED, '--csv', planted]);
    const rows = csv.stdout.trimEnd().split('\r\n');
    assert.equal(
      rows[0],
      'time,file,line,table,hunt_id,variant,matched_on,indicator,matched_as,family,threat_type,confidence,ioc_first_seen,host,event',
    );
    assert.equal(rows.length, 3);
  });

  it('writes the hunt report into the pack', async () => {
    const log = join(folder, 'edge.log');
    await writeFile(
      log,
      'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50000 dst=203.0.113.7 dpt=443 act=allow rt=1659523775038\n',
    );
    const result = await runCli(['hunt', '--pack', pack, log]);
    assert.equal(result.code, 0, result.stderr);
    const report = await readFile(join(pack, 'hunt-report.md'), 'utf8');
    assert.match(report, /^# Hunt report: Remcos\n/);
    assert.match(report, /\n## Hunts not run\n\n\| Hunt \| Reason \|\n/);
    assert.match(report, /\| remcos-sentinel-dns-domain \| The logs hold no DnsEvents events\. \|/);
    // The Defender copies of the DeviceNetworkEvents hunts are left out as duplicates, and the
    // Sentinel hunts in their place did not run either, because the log has no such events.
    assert.match(
      report,
      /\| remcos-defender-dne-port-aware \| Same logic and indicators as remcos-sentinel-dne-port-aware, which did not run either, because the logs hold no DeviceNetworkEvents events\. \|/,
    );
    assert.doesNotMatch(report, /which ran/);
    assert.match(report, /## Findings: 1 hit\n\n1 hit in 1 event, with 2 findings\./);
    assert.match(
      report,
      /\| 2022-08-03T10:49:35\.038Z \| `10\.1\.1\.1` \| `203\[\.\]0\[\.\]113\[\.\]7:443` \| remcos-sentinel-csl-port-aware \(destination\) \|/,
    );
    assert.match(result.stderr, /wrote hunt report/);
  });

  it('writes one report per pack of one family', async () => {
    const log = join(folder, 'edge-per-pack.log');
    await writeFile(
      log,
      'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50000 dst=203.0.113.7 dpt=443 act=allow rt=1659523775038\n',
    );
    // Three "remcos" packs from different builds: the same hunts, a copy, and other indicators.
    const same = join(folder, 'out-a', 'remcos');
    const copy = join(folder, 'out-b', 'remcos');
    const other = join(folder, 'out-c', 'remcos');
    const otherHunts = buildHunts(makeIndicators([['ip', '198.51.100.99']]), {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    });
    for (const [dir, hunts] of [
      [same, edgeHunts()],
      [copy, edgeHunts()],
      [other, otherHunts],
    ] as const) {
      await mkdir(dir, { recursive: true });
      const forms = hunts.map((hunt) => ({ id: hunt.id, form: hunt }));
      await writeFile(join(dir, 'pack.json'), JSON.stringify({ hunts: forms }));
    }

    const result = await runCli(['hunt', '--pack', same, '--pack', copy, '--pack', other, log]);
    assert.equal(result.code, 0, result.stderr);
    const sameReport = await readFile(join(same, 'hunt-report.md'), 'utf8');
    const copyReport = await readFile(join(copy, 'hunt-report.md'), 'utf8');
    const otherReport = await readFile(join(other, 'hunt-report.md'), 'utf8');
    assert.match(sameReport, /## Findings: 1 hit\n\n1 hit in 1 event, with 2 findings\./);
    assert.match(copyReport, /## Findings: 1 hit\n\n1 hit in 1 event, with 2 findings\./);
    assert.match(otherReport, /## Findings: 0 hits\n\nNo event matched an indicator\./);
    assert.match(sameReport, /out-a\/remcos:remcos-sentinel-csl-port-aware \(destination\)/);
    assert.match(result.stdout, /out-a\/remcos:remcos-sentinel-csl-port-aware/);
    assert.equal(result.stderr.match(/wrote hunt report/g)?.length, 3);
  });

  it('names the family of free text', async () => {
    const log = join(folder, 'remcos-note.log');
    await writeFile(
      log,
      'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.5 spt=50000 dst=45.92.1.175 dpt=5220 act=allow rt=1614630954000\n',
    );
    const note = repoFile('test/fixtures/packs/remcos-note.txt');
    const result = await runCli(['hunt', '--feed', note, '--family', 'Remcos', log]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /remcos-sentinel-csl-port-aware +destination +45\.92\.1\.175:5220/);
    assert.doesNotMatch(result.stderr, /warning/);
  });

  it('exits 2 when filters remove every indicator', async () => {
    const result = await runCli(['hunt', '--feed', FEED, '--family', 'NoSuchFamily', planted]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /huntpack: warning: the filters removed all \d+ indicators \(--family NoSuchFamily removed \d+\), so the feeds gave no hunt\./,
    );
    assert.match(result.stderr, /huntpack: no hunt to run, so the logs were not read\./);
    assert.doesNotMatch(result.stderr, /records read/);
    assert.equal(result.stdout, '');
  });

  it('exits 2 when a feed cannot be read', async () => {
    const missing = join(folder, 'nothere.csv');
    const result = await runCli(['hunt', '--feed', missing, planted]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(
      result.stderr.includes(
        `${missing}: error FILE_NOT_FOUND: Cannot open feed file "${missing}": ENOENT`,
      ),
      result.stderr,
    );
    assert.match(
      result.stderr,
      /huntpack: 1 of 1 feeds could not be read: .*nothere\.csv \(FILE_NOT_FOUND\); see the errors above\. No hunt was run\./,
    );
    assert.doesNotMatch(result.stderr, /records read|hunts run/);
    assert.equal(result.stdout, '');

    // One unreadable feed fails the run, even when another feed gives hunts.
    const notFeed = join(folder, 'not-a-feed.json');
    await writeFile(notFeed, '{"a": 1}\n');
    const mixed = await runCli(['hunt', '--feed', FEED, '--feed', notFeed, planted]);
    assert.equal(mixed.code, 2, mixed.stderr);
    assert.match(mixed.stderr, /error UNKNOWN_FEED_FORMAT: Unknown feed format/);
    assert.match(mixed.stderr, /1 of 2 feeds could not be read: .*not-a-feed\.json/);
    assert.equal(mixed.stdout, '');
  });

  it('exits 2 when the feeds give no hunt', async () => {
    const empty = join(folder, 'empty.csv');
    await writeFile(empty, '');
    const noIndicator = join(folder, 'no-indicator.txt');
    await writeFile(noIndicator, 'bad\n');
    for (const feed of [empty, noIndicator]) {
      const result = await runCli(['hunt', '--feed', feed, planted]);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(
        result.stderr.includes(`huntpack: warning: no rows were read from ${feed}:`),
        result.stderr,
      );
      assert.match(result.stderr, /huntpack: no hunt to run, so the logs were not read\./);
      assert.doesNotMatch(result.stderr, /records read/);
      assert.equal(result.stdout, '');
    }

    // The header and one row of the bundled ThreatFox export, with an invalid address.
    const lines = (await readFile(FEED, 'utf8')).split('\n');
    const header = lines.slice(
      0,
      lines.findIndex((line) => !line.startsWith('#')),
    );
    const row =
      '"2026-04-12 04:49:28", "1", "999.1.1.1:80", "ip:port", "botnet_cc", "win.x", "None", "X", "", "100", "False", "None", "X", "1", "r"';
    const rejectedFeed = join(folder, 'rejected.csv');
    await writeFile(rejectedFeed, [...header, row].join('\n') + '\n');
    const rejected = await runCli(['hunt', '--feed', rejectedFeed, planted]);
    assert.equal(rejected.code, 2, rejected.stderr);
    assert.match(
      rejected.stderr,
      /warning: no row read became an indicator \(rejected 1, dropped 0\), so the feeds gave no hunt\. The first reasons:\n {2}.*rejected\.csv:\d+ \(id 1\): error INVALID_IP/,
    );

    const allowlistedFeed = join(folder, 'allowlisted.txt');
    await writeFile(allowlistedFeed, 'C2 at 8.8.8.8\n');
    const allowlisted = await runCli(['hunt', '--feed', allowlistedFeed, '--family', 'X', planted]);
    assert.equal(allowlisted.code, 2, allowlisted.stderr);
    assert.match(
      allowlisted.stderr,
      /warning: the allowlists set aside the only indicator, so the feeds gave no hunt\./,
    );
    assert.match(allowlisted.stderr, /no hunt to run/);
  });

  it('runs pack hunts when the feeds give none', async () => {
    const result = await runCli([
      'hunt',
      '--pack',
      pack,
      '--feed',
      FEED,
      '--family',
      'NoSuchFamily',
      '--report',
      join(folder, 'pack-and-empty-feed.md'),
      planted,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: the filters removed all \d+ indicators/);
    assert.doesNotMatch(result.stderr, /no hunt to run/);
    assert.match(result.stderr, /hunts run: [1-9]/);
  });

  it('prints feed counts that add up', async () => {
    const result = await runCli(['hunt', '--feed', FEED, '--ioc-type', 'ip:port', planted]);
    assert.equal(result.code, 0, result.stderr);
    const rows =
      /rows read (\d+) = accepted (\d+) \+ rejected (\d+) \+ merged duplicates (\d+)\n/.exec(
        result.stderr,
      );
    const accepted =
      /accepted (\d+) = in hunts (\d+) \+ set aside by allowlists (\d+) \+ filtered out (\d+)\n/.exec(
        result.stderr,
      );
    assert.ok(rows, result.stderr);
    assert.ok(accepted, result.stderr);
    const [read, acceptedRows, rejected, merged] = rows.slice(1).map(Number);
    const [total, inHunts, setAside, filteredOut] = accepted.slice(1).map(Number);
    assert.equal(read, acceptedRows! + rejected! + merged!);
    assert.equal(total, acceptedRows);
    assert.equal(total, inHunts! + setAside! + filteredOut!);
    assert.ok(filteredOut! > 0, 'the --ioc-type filter removes some indicators');
    assert.ok(inHunts! > 0, 'some ip:port indicators remain');
  });

  it('says when --feed writes no report', async () => {
    const feedOnly = await runCli(['hunt', '--feed', FEED, planted]);
    assert.equal(feedOnly.code, 0, feedOnly.stderr);
    assert.match(
      feedOnly.stderr,
      /no hunt report was written, because --feed hunts have no pack folder to hold one\. Pass --report FILE to write one\./,
    );
    assert.doesNotMatch(feedOnly.stderr, /wrote hunt report/);

    const own = join(folder, 'feed-and-pack');
    await mkdir(own);
    await writeFile(join(own, 'pack.json'), await readFile(join(pack, 'pack.json')));
    const mixed = await runCli(['hunt', '--pack', own, '--feed', FEED, planted]);
    assert.equal(mixed.code, 0, mixed.stderr);
    assert.match(mixed.stderr, /the hunt reports in the pack folders leave out the --feed hunts/);
    assert.match(mixed.stderr, /wrote hunt report .*feed-and-pack/);

    const report = join(folder, 'feed-report.md');
    const given = await runCli(['hunt', '--feed', FEED, '--report', report, planted]);
    assert.equal(given.code, 0, given.stderr);
    assert.doesNotMatch(given.stderr, /no hunt report|leave out/);
    const text = await readFile(report, 'utf8');
    assert.match(text, /## Findings: 1 hit\n\n1 hit in 1 event, with 2 findings\./);
    assert.match(text, new RegExp(`^# Hunt report: feed ${FEED.replaceAll('.', '\\.')}\n`));
  });

  it('keeps the last report when a run fails', async () => {
    const own = join(folder, 'failing-pack');
    await mkdir(own);
    await writeFile(join(own, 'pack.json'), await readFile(join(pack, 'pack.json')));
    const good = await runCli(['hunt', '--pack', own, planted]);
    assert.equal(good.code, 0, good.stderr);
    const report = join(own, 'hunt-report.md');
    const before = await readFile(report, 'utf8');

    const failed = await runCli(['hunt', '--pack', own, planted, join(folder, 'missing.log')]);
    assert.equal(failed.code, 2);
    assert.match(failed.stderr, /No log file found at/);
    assert.match(
      failed.stderr,
      /hunt report was not written because 1 log input could not be read/,
    );
    assert.doesNotMatch(failed.stderr, /wrote hunt report/);
    assert.equal(await readFile(report, 'utf8'), before);
    assert.deepEqual((await readdir(own)).sort(), ['hunt-report.md', 'pack.json']);
  });

  it('reports an unwritable report path', async () => {
    const result = await runCli([
      'hunt',
      '--pack',
      pack,
      '--report',
      join(folder, 'no-such-folder', 'report.md'),
      planted,
    ]);
    assert.equal(result.code, 2);
    assert.ok(
      result.stderr.includes(
        `huntpack: Cannot write the hunt report to ${join(folder, 'no-such-folder', 'report.md')}: ENOENT: no such file or directory. Pass a writable path with --report.`,
      ),
      result.stderr,
    );
    assert.doesNotMatch(result.stderr, /\.tmp/);
    assert.doesNotMatch(result.stderr, /internal error/);
    assert.doesNotMatch(result.stderr, /wrote hunt report/);
  });

  it('reports rejected lines with file and line', async () => {
    const result = await runCli([
      'hunt',
      '--feed',
      FEED,
      '--year',
      '2024',
      '--timezone',
      'UTC',
      HARD_CEF,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /rejections by reason: \w+ \d+/);
    assert.match(result.stderr, /hard-cases\.log:\d+: error \w+:/);
  });

  it('reports field warnings with file and line', async () => {
    const report = join(folder, 'warnings-report.md');
    const result = await runCli(['hunt', '--feed', FEED, '--report', report, HARD_CEF]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /\nfield warnings by reason: AMBIGUOUS_TIME 4, INVALID_PORT 2, MISSING_TIME 3\n/,
    );
    assert.match(
      result.stderr,
      /\n {2}\S*hard-cases\.log:1: warning AMBIGUOUS_TIME: syslog header time: Time "Aug 3 12:00:00" has no year: pass the year option \(--year\) to read it\.\n/,
    );
    // Each reason gets an example, even when an earlier reason has more than the printed number.
    assert.match(result.stderr, /hard-cases\.log:6: warning INVALID_PORT: /);
    assert.match(result.stderr, /hard-cases\.log:8: warning MISSING_TIME: /);
    assert.match(result.stderr, /\n {2}\.\.\. and 4 more field warnings\n/);

    const text = await readFile(report, 'utf8');
    assert.match(
      text,
      /\n- Field warnings: 9 \(AMBIGUOUS_TIME 4, INVALID_PORT 2, MISSING_TIME 3\)\n/,
    );
    assert.match(
      text,
      /\n {2}- `\S*hard-cases\.log:6`: warning INVALID_PORT: Invalid DestinationPort "https": expected an integer\.\n/,
    );
  });

  it('escapes control characters in printed issues', async () => {
    const log = join(folder, 'control.log');
    await writeFile(
      log,
      'CEF:0|Acme|FW|1.0|1|Conn|5|dst=192.0.2.1 dpt=\u009b2J\u007f rt=1614630954000\n',
    );
    const result = await runCli(['hunt', '--feed', FEED, log]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning INVALID_PORT: Invalid DestinationPort "\\x9b2J\\x7f"/);
    // eslint-disable-next-line no-control-regex -- stderr must contain no control character
    assert.doesNotMatch(result.stderr, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('exits 2 on usage errors and unreadable inputs', async () => {
    const missing = await runCli(['hunt', '--feed', FEED, join(folder, 'missing.log')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No log file found at/);
    const noHunts = await runCli(['hunt', planted]);
    assert.equal(noHunts.code, 2);
    assert.match(noHunts.stderr, /Missing hunts: pass --pack DIR/);
    // A folder without pack.json and without pack subfolders.
    const notPack = join(folder, 'not-a-pack');
    await mkdir(notPack, { recursive: true });
    const badPack = await runCli(['hunt', '--pack', notPack, planted]);
    assert.equal(badPack.code, 2);
    assert.match(badPack.stderr, /Cannot read pack/);
    const badNow = await runCli([
      'hunt',
      '--feed',
      FEED,
      '--lookback',
      '30d',
      '--now',
      'yesterday',
      planted,
    ]);
    assert.equal(badNow.code, 2);
    assert.match(badNow.stderr, /Invalid --now "yesterday"/);
    const filterOnPack = await runCli(['hunt', '--pack', pack, '--family', 'x', planted]);
    assert.equal(filterOnPack.code, 2);
    const badZone = await runCli(['hunt', '--feed', FEED, '--timezone', 'Mars/Olympus', planted]);
    assert.equal(badZone.code, 2);
    assert.match(badZone.stderr, /Invalid time zone "Mars\/Olympus"/);
    const badMap = await runCli(['hunt', '--feed', FEED, '--map', 'NoSuchColumn=x', planted]);
    assert.equal(badMap.code, 2);
    assert.match(
      badMap.stderr,
      /Invalid --map NoSuchColumn=x: "NoSuchColumn" is not a CommonSecurityLog column/,
    );
    const badThreads = await runCli(['hunt', '--feed', FEED, '--threads', 'two', planted]);
    assert.equal(badThreads.code, 2);
    assert.match(badThreads.stderr, /Invalid --threads "two": expected a whole number from 0/);
  });

  it('applies --lookback from --now', async () => {
    const inside = await runCli([
      'hunt',
      '--feed',
      FEED,
      '--lookback',
      '1d',
      '--now',
      '2022-08-04T00:00:00Z',
      '--json',
      planted,
    ]);
    assert.equal((JSON.parse(inside.stdout) as { findings: unknown[] }).findings.length, 2);
    const outside = await runCli([
      'hunt',
      '--feed',
      FEED,
      '--lookback',
      '1h',
      '--now',
      '2022-08-04T00:00:00Z',
      '--json',
      planted,
    ]);
    const parsed = JSON.parse(outside.stdout) as {
      findings: unknown[];
      eventsOutsideWindow: number;
    };
    assert.equal(parsed.findings.length, 0);
    assert.equal(parsed.eventsOutsideWindow, 1);
  });

  it('counts events outside the lookback', async () => {
    const args = ['hunt', '--feed', FEED, '--now', '2022-08-04T00:00:00Z', planted];
    const outside = await runCli([...args, '--lookback', '1h']);
    assert.equal(outside.code, 0, outside.stderr);
    assert.equal(
      outside.stdout,
      'No findings in the lookback window (1h before 2022-08-04T00:00:00.000Z): 1 event that could match an indicator lies outside it, of 6 events parsed. Widen --lookback or move --now to include them.\n',
    );
    const inside = await runCli([...args, '--lookback', '1d', '--json']);
    assert.equal(
      (JSON.parse(inside.stdout) as { eventsOutsideWindow: number }).eventsOutsideWindow,
      0,
    );
  });
});

describe('huntpack hunt --lookback', () => {
  it('counts events outside the window beside findings', async (t) => {
    const folder = makeTempDir('cli-window', t);
    const log = join(folder, 'fw.log');
    const event = (time: string) =>
      `CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.5 spt=50000 dst=${C2.address} dpt=${C2.port} rt=${time}\n`;
    await writeFile(log, event('2022-08-03T12:00:00Z') + event('2022-07-01T12:00:00Z'));
    const args = ['hunt', '--feed', FEED, '--lookback', '1d', '--now', '2022-08-04T00:00:00Z'];

    const text = await runCli([...args, log]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^2022-08-03T12:00:00Z +ratonrat-/m);
    assert.doesNotMatch(text.stdout, /2022-07-01/);
    assert.match(
      text.stderr,
      /\nhunts run: \d+; hits: 1; events matched: 1; findings: 2; events that could match an indicator but lie outside the lookback window: 1\n/,
    );

    const csv = await runCli([...args, '--csv', log]);
    assert.match(
      csv.stderr,
      /; events that could match an indicator but lie outside the lookback window: 1\n/,
    );
  });

  it('counts events without a time apart', async (t) => {
    const folder = makeTempDir('cli-timeless', t);
    const log = join(folder, 'fw.log');
    // CEF lines without rt or a syslog header carry no time at all.
    const event = `CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.5 spt=50000 dst=${C2.address} dpt=${C2.port}\n`;
    await writeFile(log, event + event);
    const args = ['hunt', '--feed', FEED, '--now', '2022-08-04T00:00:00Z', log];

    const windowed = await runCli([...args, '--lookback', '1d']);
    assert.equal(windowed.code, 0, windowed.stderr);
    assert.match(
      windowed.stdout,
      /^No findings in the lookback window \(.*\): 2 such events have no time, of 2 events parsed\. Run without --lookback to hunt events without a time\.$/m,
    );
    assert.match(
      windowed.stderr,
      /hits: 0; events matched: 0; findings: 0; events without a time, which a lookback leaves out: 2\n/,
    );
    assert.doesNotMatch(windowed.stderr, /outside the lookback window/);
    const json = await runCli([...args, '--lookback', '1d', '--json']);
    const parsed = JSON.parse(json.stdout) as {
      eventsOutsideWindow: number;
      eventsWithoutTime: number;
    };
    assert.equal(parsed.eventsOutsideWindow, 0);
    assert.equal(parsed.eventsWithoutTime, 2);

    const unwindowed = await runCli(['hunt', '--feed', FEED, log]);
    assert.match(unwindowed.stderr, /\nhunts run: \d+; hits: 2; events matched: 2; findings: 4\n/);
  });
});

describe('parseFieldMap', () => {
  it('maps field names to columns', () => {
    assert.deepEqual(parseFieldMap(['DestinationIP=dst_ip', 'SourceIP = src']), {
      dst_ip: 'DestinationIP',
      src: 'SourceIP',
    });
  });
  it('rejects a pair without a field', () => {
    assert.throws(() => parseFieldMap(['DestinationIP']), /Invalid --map "DestinationIP"/);
  });
});
