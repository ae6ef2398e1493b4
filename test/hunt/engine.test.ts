import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Hunt } from '../../src/compile/ir.js';
import { huntLogs } from '../../src/hunt/engine.js';
import type { HuntFinding } from '../../src/hunt/findings.js';
import { huntsFromFeeds } from '../../src/hunt/hunts-from-feed.js';
import type { DomainIndicator, IpPortIndicator } from '../../src/indicators/model.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');
const CSL_CSV = repoFile(
  'test/fixtures/logs/commonsecuritylog/azure-sentinel-2020_CiscoFirepowerEStreamerCONN.csv',
);
const DNE_CSV = repoFile(
  'test/fixtures/logs/devicenetworkevents/plaso_m365d-advanced-hunting-export_mixed-tables.csv',
);
const SURICATA = repoFile(
  'test/fixtures/logs/suricata/frankhassanabad_wrccdc-2018_alerts-only_array.json',
);
const ZEEK_DNS = 'logs/zeek/chad314159_infectedpcap-2018_dns.log';

/** Writes CSV rows with every cell quoted (RFC 4180). */
function csv(rows: string[][]): string {
  return (
    rows.map((row) => row.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',')).join('\r\n') +
    '\r\n'
  );
}

function summary(findings: HuntFinding[], file: string): string[] {
  return findings
    .filter((finding) => finding.file === file)
    .map(
      (finding) =>
        `${finding.line} ${finding.variant} ${finding.matchedOn} ${finding.indicator.value}`,
    )
    .sort();
}

describe('huntLogs on real logs with planted events', () => {
  let hunts: Hunt[];
  let c2: IpPortIndicator;
  let domain: DomainIndicator;
  let folder: string;

  before(async () => {
    const feed = await huntsFromFeeds([FEED]);
    hunts = feed.hunts;
    c2 = feed.collected.indicators.find(
      (indicator): indicator is IpPortIndicator =>
        indicator.kind === 'ip-port' && indicator.addressFamily === 'ipv4',
    )!;
    domain = feed.collected.indicators.find(
      (indicator): indicator is DomainIndicator => indicator.kind === 'domain',
    )!;
    folder = makeTempDir('engine');
  });

  it('finds nothing in the untouched logs', async () => {
    const result = await huntLogs(hunts, [CEF, CSL_CSV, DNE_CSV, SURICATA]);
    assert.equal(result.findings.length, 0);
    assert.ok(result.stats.eventsParsed > 200, `only ${result.stats.eventsParsed} events parsed`);
    assert.ok(result.huntsRun.length > 0);
  });

  it('finds every planted CEF event on its side', async () => {
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    const base = lines[0]!;
    const planted = [
      base.replace('dst=- dpt=9049', `dst=${c2.address} dpt=${c2.port}`),
      base.replace(/src=\S+ spt=\d+/, `src=${c2.address} spt=${c2.port}`) + ' act=allow',
      base.replace(/src=\S+ spt=\d+/, `src=${c2.address} spt=${c2.port}`) + ' act=Deny',
      base.replace('dst=- dpt=9049', `dst=${c2.address} dpt=1`),
    ];
    const file = join(folder, 'firewall.log');
    await writeFile(file, [...lines, ...planted].join('\n') + '\n');
    const result = await huntLogs(hunts, [file], { year: 2024, timezone: 'UTC' });

    const first = lines.length + 1;
    assert.deepEqual(summary(result.findings, file), [
      `${first} address-only destination ${c2.address}`,
      `${first} port-aware destination ${c2.value}`,
      `${first + 1} address-only source ${c2.address}`,
      `${first + 1} port-aware source ${c2.value}`,
      // A denied packet from the C2 port is kept by the port-aware hunt only: it is more likely
      // the late reply to a device's connection than a scan.
      `${first + 2} port-aware source ${c2.value}`,
      `${first + 3} address-only destination ${c2.address}`,
    ]);
    const hit = result.findings.find((finding) => finding.line === first)!;
    assert.equal(hit.host, '101.173.234.143');
    assert.equal(hit.indicator.family, c2.family?.name);
    assert.equal(hit.time?.toISOString(), '2022-08-03T10:49:35.038Z');
  });

  it('finds planted CommonSecurityLog and DeviceNetworkEvents export rows', async () => {
    const cslTable: string[][] = parse(await readFile(CSL_CSV, 'utf8'), {
      bom: true,
      relax_column_count: true,
    });
    const [cslHeader, ...cslRows] = cslTable;
    const dstIndex = cslHeader!.indexOf('DestinationIP');
    const portIndex = cslHeader!.indexOf('DestinationPort');
    const cslPlanted = [...cslRows[0]!];
    cslPlanted[dstIndex] = c2.address;
    cslPlanted[portIndex] = String(c2.port);
    const cslFile = join(folder, 'csl.csv');
    await writeFile(cslFile, csv([cslHeader!, cslPlanted, ...cslRows]));

    const dneTable: string[][] = parse(await readFile(DNE_CSV, 'utf8'), {
      relax_column_count: true,
    });
    const [dneHeader, ...dneRows] = dneTable;
    const remoteIp = dneHeader!.indexOf('RemoteIP');
    const remotePort = dneHeader!.indexOf('RemotePort');
    const network = dneRows.find(
      (row) =>
        row[remoteIp] !== '' && row[dneHeader!.indexOf('ActionType')] === 'ConnectionSuccess',
    )!;
    const dnePlanted = [...network];
    dnePlanted[remoteIp] = `::FFFF:${c2.address}`;
    dnePlanted[remotePort] = String(c2.port);
    const dneFile = join(folder, 'dne.csv');
    await writeFile(dneFile, csv([dneHeader!, dnePlanted, ...dneRows]));

    const result = await huntLogs(hunts, [cslFile, dneFile]);
    assert.deepEqual(summary(result.findings, cslFile), [
      `2 address-only destination ${c2.address}`,
      `2 port-aware destination ${c2.value}`,
    ]);
    // The pack's Sentinel and Defender DeviceNetworkEvents hunts are one hunt locally.
    assert.deepEqual(summary(result.findings, dneFile), [
      `2 address-only remote ${c2.address}`,
      `2 port-aware remote ${c2.value}`,
    ]);
    assert.ok(result.skipped.some((skip) => skip.huntId.includes('defender-dne')));
  });

  it('finds a planted Suricata event with a full-form mapped address', async () => {
    const events = JSON.parse(await readFile(SURICATA, 'utf8')) as Array<Record<string, unknown>>;
    const octets = c2.address.split('.').map(Number);
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16).padStart(4, '0');
    const planted = {
      ...events[0],
      dest_ip: `0000:0000:0000:0000:0000:ffff:${hex(octets[0]!, octets[1]!)}:${hex(octets[2]!, octets[3]!)}`,
      dest_port: c2.port,
    };
    const text = JSON.stringify([...events, planted], null, 2);
    const file = join(folder, 'eve.json');
    await writeFile(file, text);
    const line = text.split('\n').lastIndexOf('  {') + 1;

    const result = await huntLogs(hunts, [file]);
    assert.deepEqual(summary(result.findings, file), [
      `${line} address-only destination ${c2.address}`,
      `${line} port-aware destination ${c2.value}`,
    ]);
  });

  it(
    'finds a planted Zeek DNS query for a subdomain only',
    { skip: skipWithoutShared(ZEEK_DNS) },
    async () => {
      const lines = (await readFile(sharedFile(ZEEK_DNS), 'utf8')).trimEnd().split('\n');
      const close = lines.findIndex((line) => line.startsWith('#close'));
      const row = lines.find((line) => !line.startsWith('#'))!.split('\t');
      const queryIndex =
        lines
          .find((line) => line.startsWith('#fields'))!
          .split('\t')
          .indexOf('query') - 1;
      const withQuery = (query: string) =>
        row.map((cell, index) => (index === queryIndex ? query : cell)).join('\t');
      const planted = [
        withQuery(`www.${domain.domain.toUpperCase()}`),
        withQuery(`not${domain.domain}`),
      ];
      const file = join(folder, 'dns.log');
      const at = close < 0 ? lines.length : close;
      await writeFile(
        file,
        [...lines.slice(0, at), ...planted, ...lines.slice(at)].join('\n') + '\n',
      );

      const result = await huntLogs(hunts, [file]);
      assert.deepEqual(summary(result.findings, file), [`${at + 1} domain Name ${domain.domain}`]);
    },
  );

  it('reports progress while the prefilter drops events', async () => {
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    const file = join(folder, 'progress.log');
    await writeFile(
      file,
      Array.from({ length: 400 }, () => lines)
        .flat()
        .join('\n') + '\n',
    );
    const progress: number[] = [];
    const result = await huntLogs(hunts, [file], {
      year: 2024,
      timezone: 'UTC',
      batchSize: 100,
      onProgress: (update) => progress.push(update.linesRead),
    });
    assert.equal(result.findings.length, 0);
    assert.equal(result.eventsByTable.CommonSecurityLog, lines.length * 400);
    assert.ok(progress.length >= 3, `only ${progress.length} progress reports`);
    assert.equal(progress.at(-1), lines.length * 400);
  });

  it('applies the lookback window from now', async () => {
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    const file = join(folder, 'window.log');
    await writeFile(
      file,
      lines[0]!.replace('dst=- dpt=9049', `dst=${c2.address} dpt=${c2.port}`) + '\n',
    );
    const inside = await huntLogs(hunts, [file], {
      year: 2024,
      timezone: 'UTC',
      lookback: { amount: 1, unit: 'd' },
      now: new Date('2022-08-04T00:00:00Z'),
    });
    assert.equal(inside.findings.length, 2);
    const outside = await huntLogs(hunts, [file], {
      year: 2024,
      timezone: 'UTC',
      lookback: { amount: 1, unit: 'h' },
      now: new Date('2022-08-04T00:00:00Z'),
    });
    assert.equal(outside.findings.length, 0);
  });
});
