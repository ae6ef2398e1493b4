import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { findingIndicator } from '../../src/hunt/findings.js';
import { buildRequestUrl } from '../../src/hunt/logs/request-url.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { repoFile } from '../helpers/shared.js';
import { collectEvents } from './logs/collect-events.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const SURICATA = repoFile(
  'test/fixtures/logs/suricata/frankhassanabad_wrccdc-2018_alerts-only_array.json',
);
const ZEEK_HTTP = repoFile('test/fixtures/logs/zeek/http.log');

/** A real feed URL on a non-default port, and the same host and path on port 80. */
const C2_HOST = '203.176.135.102';
const C2_PATH = '/mor84/DESKTOP-83TKHSQ_W10018363.572D588D45894026346E8F90E07B31E6/90';
const URL_8082 = `http://${C2_HOST}:8082${C2_PATH}`;
const URL_80 = `http://${C2_HOST}${C2_PATH}`;

type SuricataEvent = Record<string, unknown> & { http: Record<string, unknown> };

/**
 * The URL hunts of the two URLs. Their address hunts, which a URL on an address also gets, are
 * tested in test/cli/url-address-hunt.test.ts.
 */
function urlHunts(): Hunt[] {
  const hunts = buildHunts(
    makeIndicators([
      ['url', URL_8082],
      ['url', URL_80],
    ]),
    {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    },
  );
  return hunts.filter((hunt) => hunt.variant === 'url');
}

/** Returns `event index -> indicator` hits of the CommonSecurityLog hunts on one side. */
function describeHits(
  hunts: readonly Hunt[],
  hits: Array<{ huntId: string; eventIndex: number; iocIndex: number }>,
): string[] {
  return hits
    .map((hit) => {
      const hunt = hunts.find((candidate) => candidate.id === hit.huntId)!;
      return `${hit.eventIndex} ${findingIndicator(hunt, hit.iocIndex).value}`;
    })
    .sort();
}

/** Runs the CommonSecurityLog hunts on DuckDB and on the reference evaluator. */
async function hitsOnBothSides(
  hunts: readonly Hunt[],
  rows: EventRow[],
): Promise<{ duckdb: string[]; reference: string[] }> {
  const tableHunts = hunts.filter((hunt) => hunt.source.table === 'CommonSecurityLog');
  const session = await DuckDbHuntSession.open(tableHunts);
  try {
    const duckdbHits = (await session.run('CommonSecurityLog', rows)).map((hit) => ({
      huntId: hit.hunt.id,
      eventIndex: hit.eventIndex,
      iocIndex: hit.iocIndex,
    }));
    const referenceHits = tableHunts.flatMap((hunt) =>
      evaluateHunt(hunt, rows).map((hit) => ({
        huntId: hunt.id,
        eventIndex: hit.eventIndex,
        iocIndex: hit.iocIndex,
      })),
    );
    return {
      duckdb: describeHits(tableHunts, duckdbHits),
      reference: describeHits(tableHunts, referenceHits),
    };
  } finally {
    session.close();
  }
}

describe('buildRequestUrl', () => {
  it('adds a non-default port', () => {
    assert.equal(
      buildRequestUrl({ host: 'a.example', target: '/x', port: 8082 }),
      'a.example:8082/x',
    );
  });

  it('omits ports 80 and 443', () => {
    assert.equal(buildRequestUrl({ host: 'a.example', target: '/x', port: 80 }), 'a.example/x');
    assert.equal(buildRequestUrl({ host: 'a.example', target: '/x', port: 443 }), 'a.example/x');
  });

  it('keeps a port the host already has', () => {
    assert.equal(
      buildRequestUrl({ host: 'a.example:81', target: '/x', port: 8082 }),
      'a.example:81/x',
    );
  });

  it('brackets an IPv6 host', () => {
    assert.equal(
      buildRequestUrl({ host: '2001:db8::7', target: '/x', port: 8080 }),
      '[2001:db8::7]:8080/x',
    );
    assert.equal(
      buildRequestUrl({ host: '[2001:db8::7]:81', target: '/x', port: 8080 }),
      '[2001:db8::7]:81/x',
    );
  });

  it('keeps absolute and CONNECT targets', () => {
    const absolute = 'http://b.example:8080/y?q=1';
    assert.equal(
      buildRequestUrl({ host: 'proxy.example', target: absolute, port: 3128 }),
      absolute,
    );
    assert.equal(
      buildRequestUrl({ host: 'b.example', target: 'b.example:443', port: 3128 }),
      'b.example:443',
    );
  });

  it('falls back to the server address', () => {
    assert.equal(
      buildRequestUrl({ target: '/x', port: 8082, serverIp: C2_HOST }),
      `${C2_HOST}:8082/x`,
    );
    assert.equal(buildRequestUrl({ target: '/x', port: 8082 }), undefined);
  });
});

describe('URL hunts on requests to a non-default port', () => {
  let hunts: Hunt[];
  let folder: string;
  let realEvents: SuricataEvent[];
  let base: SuricataEvent;

  before(async () => {
    hunts = urlHunts();
    folder = makeTempDir('url-port');
    realEvents = JSON.parse(await readFile(SURICATA, 'utf8')) as SuricataEvent[];
    // A real HTTP alert from the client to the server, to plant the indicator's request into.
    base = realEvents.find((event) => event.http?.url !== undefined && event.dest_port === 80)!;
  });

  function planted(changes: Record<string, unknown>, http: Record<string, unknown>) {
    return {
      ...base,
      dest_ip: C2_HOST,
      ...changes,
      http: { ...base.http, hostname: C2_HOST, url: C2_PATH, ...http },
    };
  }

  it('matches each port on both evaluators', async () => {
    const events = [
      // The Host header names port 8082, as in the real event of this request.
      planted({ dest_port: 8082 }, { http_port: 8082 }),
      // Port 80, written in the Host header or left out of it.
      planted({ dest_port: 80 }, { http_port: 80 }),
      planted({ dest_port: 80 }, {}),
      // An http event is logged client to server, so its destination port is the URL's port.
      planted({ event_type: 'http', alert: undefined, dest_port: 8082 }, {}),
      // A Host header without a port on an alert of unknown direction keeps the bare host.
      planted({ dest_port: 8082 }, {}),
    ];
    const file = join(folder, 'eve.json');
    await writeFile(file, JSON.stringify([...realEvents, ...events]));
    const { events: read } = await collectEvents([file]);
    const rows = read.slice(-events.length).map((event) => event.columns);
    assert.equal(rows[0]!.RequestURL, `${C2_HOST}:8082${C2_PATH}`);
    assert.equal(rows[1]!.RequestURL, `${C2_HOST}${C2_PATH}`);
    assert.equal(rows[3]!.RequestURL, `${C2_HOST}:8082${C2_PATH}`);

    const { duckdb, reference } = await hitsOnBothSides(hunts, rows);
    const expected = [
      `0 ${URL_8082}`,
      `1 ${URL_80}`,
      `2 ${URL_80}`,
      `3 ${URL_8082}`,
      `4 ${URL_80}`,
    ];
    assert.deepEqual(duckdb, expected);
    assert.deepEqual(reference, expected);
  });

  it('finds the planted Suricata request in a hunt', async () => {
    const file = join(folder, 'hunt-eve.json');
    await writeFile(
      file,
      JSON.stringify([...realEvents, planted({ dest_port: 8082 }, { http_port: 8082 })]),
    );
    const result = await huntLogs(hunts, [file]);
    const urlHits = result.findings.filter((finding) => finding.variant === 'url');
    assert.deepEqual(
      urlHits.map((finding) => finding.indicator.value),
      [URL_8082],
    );
    assert.equal(urlHits[0]!.host, base.src_ip);
  });

  it('finds a planted Zeek request on its responder port', async () => {
    const lines = (await readFile(ZEEK_HTTP, 'utf8')).trimEnd().split('\n');
    const fields = lines
      .find((line) => line.startsWith('#fields'))!
      .split('\t')
      .slice(1);
    const row = lines.find((line) => !line.startsWith('#'))!.split('\t');
    const withValues = (values: Record<string, string>) =>
      row.map((cell, index) => values[fields[index]!] ?? cell).join('\t');
    const plantedRows = [
      withValues({ 'id.resp_h': C2_HOST, 'id.resp_p': '8082', host: C2_HOST, uri: C2_PATH }),
      withValues({ 'id.resp_h': C2_HOST, 'id.resp_p': '80', host: C2_HOST, uri: C2_PATH }),
    ];
    const file = join(folder, 'http.log');
    await writeFile(file, [...lines, ...plantedRows].join('\n') + '\n');
    const { events: read } = await collectEvents([file]);
    const rows = read.slice(-2).map((event) => event.columns);
    assert.equal(rows[0]!.RequestURL, `${C2_HOST}:8082${C2_PATH}`);
    assert.equal(rows[1]!.RequestURL, `${C2_HOST}${C2_PATH}`);

    const { duckdb, reference } = await hitsOnBothSides(hunts, rows);
    assert.deepEqual(duckdb, [`0 ${URL_8082}`, `1 ${URL_80}`]);
    assert.deepEqual(reference, [`0 ${URL_8082}`, `1 ${URL_80}`]);
  });
});
