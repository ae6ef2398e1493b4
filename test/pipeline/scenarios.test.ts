import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import type { Indicator } from '../../src/indicators/model.js';
import { DATA_SOURCES } from '../../src/pipeline/data-sources.js';
import { checkExclusion } from '../../src/pipeline/filter-check/check.js';
import { SCENARIOS } from '../../src/pipeline/scenarios.js';
import { getTableSchema } from '../../src/pipeline/schemas.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { ListProvenance } from '../../src/indicators/provenance.js';

const CONTEXT = {
  family: { name: 'Remcos', aliases: [] },
  threatType: 'botnet_cc',
  confidence: 75,
  tags: [],
  references: [],
  reporters: [],
  provenance: new ListProvenance([], []),
};
const C2: Indicator = {
  ...CONTEXT,
  kind: 'ip-port',
  value: '45.92.1.175:5220',
  address: '45.92.1.175',
  addressFamily: 'ipv4',
  port: 5220,
};
const HASH = 'ab'.repeat(32);
const SAMPLE: Indicator = { ...CONTEXT, kind: 'sha256', value: HASH, hash: HASH };

/** One event per scenario that the scenario describes, and a twin that it must keep. */
const CASES: Record<
  string,
  {
    source: string;
    variant: string;
    removed: Record<string, unknown>;
    kept: Record<string, unknown>;
  }
> = {
  'denied-inbound-probe': {
    source: 'sentinel-commonsecuritylog',
    variant: 'port-aware',
    removed: {
      SourceIP: '45.92.1.175',
      SourcePort: 5220,
      DestinationIP: '198.51.100.7',
      DestinationPort: 443,
      DeviceAction: 'Deny',
    },
    kept: {
      SourceIP: '45.92.1.175',
      SourcePort: 5220,
      DestinationIP: '198.51.100.7',
      DestinationPort: 443,
      DeviceAction: 'Allow',
    },
  },
  'denied-inbound-endpoint': {
    source: 'defender-deviceevents',
    variant: 'address-only',
    removed: {
      ActionType: 'FirewallInboundConnectionBlocked',
      RemoteIP: '45.92.1.175',
      RemotePort: 50123,
    },
    kept: {
      ActionType: 'FirewallOutboundConnectionBlocked',
      RemoteIP: '45.92.1.175',
      RemotePort: 5220,
    },
  },
  'security-scanner-process': {
    source: 'sentinel-devicenetworkevents',
    variant: 'port-aware',
    removed: { RemoteIP: '45.92.1.175', RemotePort: 5220, InitiatingProcessFileName: 'NMAP.EXE' },
    kept: { RemoteIP: '45.92.1.175', RemotePort: 5220, InitiatingProcessFileName: 'rundll32.exe' },
  },
  'internal-scanner-address': {
    source: 'sentinel-commonsecuritylog',
    variant: 'port-aware',
    removed: {
      SourceIP: '192.0.2.10',
      SourcePort: 51000,
      DestinationIP: '45.92.1.175',
      DestinationPort: 5220,
    },
    kept: {
      SourceIP: '192.0.2.11',
      SourcePort: 51000,
      DestinationIP: '45.92.1.175',
      DestinationPort: 5220,
    },
  },
  'antivirus-quarantine': {
    source: 'sentinel-devicefileevents',
    variant: 'hash',
    removed: {
      SHA256: HASH,
      InitiatingProcessFileName: 'MsMpEng.exe',
      InitiatingProcessFolderPath:
        'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.23110.3-0',
    },
    kept: {
      SHA256: HASH,
      InitiatingProcessFileName: 'explorer.exe',
      InitiatingProcessFolderPath: 'C:\\Windows',
    },
  },
};

test('every scenario has a local case', () => {
  assert.deepEqual(Object.keys(CASES).sort(), SCENARIOS.map((scenario) => scenario.id).sort());
});

for (const scenario of SCENARIOS) {
  test(`exclusion ${scenario.id} removes its events`, () => {
    const testCase = CASES[scenario.id]!;
    const source = DATA_SOURCES.find((entry) => entry.id === testCase.source)!;
    const hunt = buildHunts([C2, SAMPLE], {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      dataSources: [source],
      exclusionsFor: () => [scenario],
    }).find((candidate) => candidate.variant === testCase.variant)!;
    const time = { [source.timeColumn]: new Date('2026-05-14T10:00:00Z') };
    const without = evaluateHunt({ ...hunt, exclusions: [] }, [
      { ...testCase.removed, ...time },
      { ...testCase.kept, ...time },
    ]);
    assert.equal(without.length, 2, 'both events match the hunt without the exclusion');
    const hits = evaluateHunt(hunt, [
      { ...testCase.removed, ...time },
      { ...testCase.kept, ...time },
    ]);
    assert.deepEqual(
      hits.map((hit) => hit.eventIndex),
      [1],
    );
  });
}

const ANTIVIRUS = SCENARIOS.find((scenario) => scenario.id === 'antivirus-quarantine')!;

/** Hash hunts over DeviceFileEvents on both platforms, with only the antivirus exclusion. */
function antivirusHunts(): Hunt[] {
  const sources = DATA_SOURCES.filter((entry) => entry.table === 'DeviceFileEvents');
  return buildHunts([SAMPLE], {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: sources,
    exclusionsFor: () => [ANTIVIRUS],
  }).filter((hunt) => hunt.variant === 'hash');
}

/** Defender's own processes, as real exports write the folder: folder only or full path. */
const DEFENDER_EVENTS: EventRow[] = [
  {
    InitiatingProcessFileName: 'MsMpEng.exe',
    InitiatingProcessFolderPath:
      'c:\\programdata\\microsoft\\windows defender\\platform\\4.18.23110.3-0\\msmpeng.exe',
  },
  {
    InitiatingProcessFileName: 'MpCmdRun.exe',
    InitiatingProcessFolderPath: 'C:\\Program Files\\Windows Defender',
  },
  {
    InitiatingProcessFileName: 'mpcmdrun.exe',
    InitiatingProcessFolderPath: 'C:\\Program Files\\Windows Defender\\MpCmdRun.exe',
  },
];

/** Defender process names run from other folders, as a dropped copy would be. */
const IMPOSTOR_EVENTS: EventRow[] = [
  { InitiatingProcessFileName: 'MsMpEng.exe', InitiatingProcessFolderPath: 'C:\\Windows' },
  {
    InitiatingProcessFileName: 'MsMpEng.exe',
    InitiatingProcessFolderPath: 'c:\\windows\\msmpeng.exe',
  },
  {
    InitiatingProcessFileName: 'MsMpEng.exe',
    InitiatingProcessFolderPath: 'C:\\Program Files\\Windows Defender Update\\MsMpEng.exe',
  },
  {
    InitiatingProcessFileName: 'MsMpEng.exe',
    InitiatingProcessFolderPath: 'C:\\Users\\Public\\Windows Defender\\Platform\\MsMpEng.exe',
  },
  { InitiatingProcessFileName: 'MsMpEng.exe' },
  {
    InitiatingProcessFileName: 'evil.exe',
    InitiatingProcessFolderPath: 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.1',
  },
];

function withHash(events: EventRow[]): EventRow[] {
  const time = new Date('2026-05-14T10:00:00Z');
  return events.map((event) => ({ ...event, SHA256: HASH, TimeGenerated: time, Timestamp: time }));
}

test('antivirus exclusion removes Defender events', () => {
  for (const hunt of antivirusHunts()) {
    const hits = evaluateHunt(hunt, withHash(DEFENDER_EVENTS));
    assert.deepEqual(hits, [], `${hunt.id} keeps no event of Defender's own folders`);
  }
});

test('antivirus exclusion keeps a dropped MsMpEng.exe', () => {
  for (const hunt of antivirusHunts()) {
    const hits = evaluateHunt(hunt, withHash(IMPOSTOR_EVENTS));
    assert.deepEqual(
      hits.map((hit) => hit.eventIndex),
      IMPOSTOR_EVENTS.map((_, index) => index),
      `${hunt.id} keeps every event outside Defender's folders`,
    );
  }
});

test('antivirus exclusion passes the checker', () => {
  for (const platform of ['sentinel', 'defender'] as const) {
    const issues = checkExclusion(ANTIVIRUS.filter, getTableSchema('DeviceFileEvents', platform));
    assert.deepEqual(issues, [], `no issue on ${platform}`);
  }
});

test('antivirus exclusion compiles to valid KQL', () => {
  for (const hunt of antivirusHunts()) {
    const query = compileKql(hunt, { generatorVersion: 'test' });
    assert.match(query, /InitiatingProcessFolderPath startswith /, `${hunt.id} tests the folder`);
    const errors = checkKql(query, { platform: hunt.source.platform }).filter(
      (diagnostic) => diagnostic.severity === 'error',
    );
    assert.deepEqual(errors, [], `${hunt.id} parses without errors`);
  }
});

test('antivirus exclusion agrees in DuckDB', async () => {
  const hunts = antivirusHunts();
  const session = await DuckDbHuntSession.open(hunts);
  try {
    const events = withHash([...DEFENDER_EVENTS, ...IMPOSTOR_EVENTS]);
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, 'DeviceFileEvents', events);
    assert.equal(reference.length, IMPOSTOR_EVENTS.length * hunts.length);
    assert.deepEqual(duckdb, reference);
  } finally {
    session.close();
  }
});
