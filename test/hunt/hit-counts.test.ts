import { before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import { huntLogs } from '../../src/hunt/engine.js';
import {
  countHits,
  summarizeByHost,
  summarizeByIndicator,
  type FindingSummary,
} from '../../src/hunt/findings.js';
import { formatSummaryTable } from '../../src/hunt/format-findings.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** A Remcos C2 of the bundled ThreatFox export, hunted by a port-aware and an address-only hunt. */
const C2 = { ip: '37.221.65.44', port: 1616 };
const ZEUS_EVE = 'logs/suricata/menna-islam_zeus-lab_eve.json';
const TRICKBOT_CONN = 'logs/zeek/taleibhans_trickbot-2018_conn.log';
const ZEEK_HTTP = repoFile('test/fixtures/logs/zeek/http.log');
const SURICATA_ARRAY = repoFile(
  'test/fixtures/logs/suricata/frankhassanabad_wrccdc-2018_alerts-only_array.json',
);
const BARRACUDA_CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');
const REPORT_OPTIONS = { title: 'Remcos', logs: [], window: 'none', generatorVersion: '0.0.0' };

type EveRecord = Record<string, unknown>;
interface Endpoint {
  ip: string;
  port: number;
}

/** Returns the counts of a summary row, so that one assertion shows all three. */
function counts(summary: FindingSummary | undefined) {
  return summary && { hits: summary.hits, events: summary.events, findings: summary.findings };
}

/** Moves the server of a Suricata record, at the top level and in its `flow` section, to `to`. */
function moveServer(record: EveRecord, server: Endpoint, to: Endpoint): void {
  const flow = record.flow as EveRecord | undefined;
  for (const endpoints of [record, flow ?? {}]) {
    for (const side of ['src', 'dest']) {
      if (endpoints[`${side}_ip`] === server.ip && endpoints[`${side}_port`] === server.port) {
        endpoints[`${side}_ip`] = to.ip;
        endpoints[`${side}_port`] = to.port;
      }
    }
  }
}

/** Returns the tab-separated fields of the Zeek TSV line of `fields`, in the order of `header`. */
function zeekLine(header: string[], fields: Record<string, string>): string {
  return header.map((name) => fields[name] ?? '-').join('\t');
}

describe('hit counts', () => {
  let hunts: Hunt[];

  before(() => {
    hunts = buildHunts(makeIndicators([['ip:port', `${C2.ip}:${C2.port}`]]), {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    });
  });

  it(
    'count a Suricata flow and its alerts once',
    { skip: skipWithoutShared(ZEUS_EVE) },
    async (t: TestContext) => {
      const records = (await readFile(sharedFile(ZEUS_EVE), 'utf8'))
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as EveRecord);
      // One flow record and 25 alerts of an SSDP flow go to the C2's port, and one flow record
      // and 3 alerts of an LLMNR flow go to the C2's address on another port.
      const ssdp = records.filter((record) => record.flow_id === 782317877334303);
      const llmnr = records.filter((record) => record.flow_id === 799457982093033);
      assert.equal(ssdp.length, 26);
      assert.equal(llmnr.length, 4);
      for (const record of ssdp) moveServer(record, { ip: '239.255.255.250', port: 1900 }, C2);
      for (const record of llmnr) {
        moveServer(record, { ip: '224.0.0.252', port: 5355 }, { ip: C2.ip, port: 443 });
      }
      const file = join(makeTempDir('hit-counts', t), 'eve.json');
      await writeFile(file, records.map((record) => JSON.stringify(record)).join('\n') + '\n');

      const result = await huntLogs(hunts, [file]);
      // Every event of the SSDP flow matches both hunts, and the LLMNR flow only the address.
      assert.equal(result.findings.length, 26 * 2 + 4);
      assert.deepEqual(countHits(result.findings), { hits: 2, events: 30, findings: 56 });
      const byHost = summarizeByHost(result.findings);
      assert.deepEqual(
        byHost.map((summary) => summary.key),
        ['192.168.37.130'],
      );
      assert.deepEqual(counts(byHost[0]), { hits: 2, events: 30, findings: 56 });
      const byIndicator = summarizeByIndicator(result.findings);
      assert.deepEqual(
        byIndicator.map((summary) => [summary.key, counts(summary)]),
        [
          [C2.ip, { hits: 2, events: 30, findings: 30 }],
          [`${C2.ip}:${C2.port}`, { hits: 1, events: 26, findings: 26 }],
        ],
      );

      const table = formatSummaryTable('HOST', 'INDICATORS', byHost);
      assert.match(table, /^HOST +HITS +EVENTS +FIRST HIT/);
      assert.match(table, /\n192\.168\.37\.130 +2 +30 +2024-12-18T00:17:54\.565Z /);
      const report = renderHuntReport(result, REPORT_OPTIONS);
      assert.match(report, /\n## Findings: 2 hits\n\n2 hits in 30 events, with 56 findings\. /);
      assert.match(report, /\n\| `192\.168\.37\.130` \| 2 \| 30 \| /);
      assert.match(report, /\n\| `37\[\.\]221\[\.\]65\[\.\]44:1616` \| 1 \| 26 \| /);
    },
  );

  it(
    'count each Zeek connection once',
    { skip: skipWithoutShared(TRICKBOT_CONN) },
    async (t: TestContext) => {
      const lines = (await readFile(sharedFile(TRICKBOT_CONN), 'utf8')).split('\n');
      const header = lines.filter((line) => line.startsWith('#'));
      const fields = header
        .find((line) => line.startsWith('#fields'))!
        .split('\t')
        .slice(1);
      const responder = fields.indexOf('id.resp_h');
      const rows = lines.filter((line) => line !== '' && !line.startsWith('#')).slice(0, 20);
      // Three connections to the C2's port and one to its address on port 443.
      const planted = new Map([
        [3, C2.port],
        [7, C2.port],
        [11, C2.port],
        [15, 443],
      ]);
      const rewritten = rows.map((row, index) => {
        const port = planted.get(index);
        if (port === undefined) return row;
        const cells = row.split('\t');
        cells[responder] = C2.ip;
        cells[responder + 1] = String(port);
        return cells.join('\t');
      });
      const file = join(makeTempDir('hit-counts', t), 'conn.log');
      await writeFile(file, [...header, ...rewritten].join('\n') + '\n');

      const result = await huntLogs(hunts, [file]);
      assert.equal(result.findings.length, 7);
      const byHost = summarizeByHost(result.findings);
      assert.deepEqual(
        byHost.map((summary) => [summary.key, counts(summary)]),
        [['172.16.9.233', { hits: 4, events: 4, findings: 7 }]],
      );
      const byIndicator = summarizeByIndicator(result.findings);
      assert.deepEqual(
        byIndicator.map((summary) => [summary.key, counts(summary)]),
        [
          [C2.ip, { hits: 4, events: 4, findings: 4 }],
          [`${C2.ip}:${C2.port}`, { hits: 3, events: 3, findings: 3 }],
        ],
      );
    },
  );

  it(
    'count a Zeek uid in conn and http logs once',
    { skip: skipWithoutShared(TRICKBOT_CONN) },
    async (t: TestContext) => {
      const folder = makeTempDir('hit-counts', t);
      const connLines = (await readFile(sharedFile(TRICKBOT_CONN), 'utf8')).split('\n');
      const connHeader = connLines.filter((line) => line.startsWith('#'));
      const connFields = connHeader.find((line) => line.startsWith('#fields'))!.split('\t');
      const httpLines = (await readFile(ZEEK_HTTP, 'utf8')).trimEnd().split('\n');
      const httpHeader = httpLines.filter((line) => line.startsWith('#'));
      const httpFields = httpHeader.find((line) => line.startsWith('#fields'))!.split('\t');
      const connection = {
        ts: '1541117200.000000',
        'id.orig_h': '172.16.9.233',
        'id.orig_p': '49200',
        'id.resp_h': C2.ip,
        'id.resp_p': String(C2.port),
      };
      // The same uid in both logs is one connection, and another uid is another one.
      await writeFile(
        join(folder, 'conn.log'),
        [
          ...connHeader,
          zeekLine(connFields.slice(1), { ...connection, uid: 'CShared1', proto: 'tcp' }),
          zeekLine(connFields.slice(1), {
            ...connection,
            'id.orig_p': '49201',
            uid: 'COther2',
            proto: 'tcp',
          }),
        ].join('\n') + '\n',
      );
      await writeFile(
        join(folder, 'http.log'),
        [
          ...httpHeader,
          zeekLine(httpFields.slice(1), {
            ...connection,
            uid: 'CShared1',
            method: 'POST',
            host: C2.ip,
            uri: '/gate',
          }),
        ].join('\n') + '\n',
      );

      const result = await huntLogs(hunts, [join(folder, 'conn.log'), join(folder, 'http.log')]);
      assert.equal(result.stats.linesRejected, 0);
      assert.deepEqual(result.findings.map((finding) => finding.connectionId).sort(), [
        'zeek:COther2',
        'zeek:COther2',
        'zeek:CShared1',
        'zeek:CShared1',
        'zeek:CShared1',
        'zeek:CShared1',
      ]);
      assert.deepEqual(countHits(result.findings), { hits: 2, events: 3, findings: 6 });
    },
  );

  it('count records on one line separately', async (t: TestContext) => {
    const alerts = JSON.parse(await readFile(SURICATA_ARRAY, 'utf8')) as EveRecord[];
    // Without a flow_id, only the position on the line distinguishes the two alerts.
    const planted = alerts.slice(0, 2).map((alert) => {
      const copy: EveRecord = { ...alert, dest_ip: C2.ip, dest_port: C2.port };
      delete copy.flow_id;
      return copy;
    });
    const file = join(makeTempDir('hit-counts', t), 'eve.json');
    await writeFile(file, JSON.stringify([alerts[2], ...planted]) + '\n');

    const result = await huntLogs(hunts, [file]);
    assert.equal(result.stats.eventsParsed, 3);
    // The prefilter drops the first alert, so the planted ones are the first and second loaded.
    assert.deepEqual(
      result.findings.map((finding) => [finding.line, finding.recordOnLine ?? 0]).sort(),
      [
        [1, 0],
        [1, 0],
        [1, 1],
        [1, 1],
      ],
    );
    assert.deepEqual(countHits(result.findings), { hits: 2, events: 2, findings: 4 });
  });

  it('count a uid of another CEF vendor per event', async (t: TestContext) => {
    const line = (await readFile(BARRACUDA_CEF, 'utf8')).split('\n')[0]!;
    const planted = line.replace('dst=- dpt=9049', `dst=${C2.ip} dpt=${C2.port} uid=C1`);
    assert.notEqual(planted, line);
    // Only Zeek's uid names a connection, because another vendor's uid may name a user.
    const asZeek = planted.replace('BarracudaNetworks|WAAS', 'Zeek|conn');
    const folder = makeTempDir('hit-counts', t);
    await writeFile(join(folder, 'waf.log'), `${planted}\n${planted}\n`);
    await writeFile(join(folder, 'zeek.log'), `${asZeek}\n${asZeek}\n`);

    const waf = await huntLogs(hunts, [join(folder, 'waf.log')], { year: 2024 });
    assert.deepEqual(countHits(waf.findings), { hits: 2, events: 2, findings: 4 });
    const zeek = await huntLogs(hunts, [join(folder, 'zeek.log')], { year: 2024 });
    assert.deepEqual(countHits(zeek.findings), { hits: 1, events: 2, findings: 4 });
  });
});
