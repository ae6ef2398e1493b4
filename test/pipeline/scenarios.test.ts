import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { evaluateHunt } from '../../src/compile/evaluate.js';
import type { Indicator } from '../../src/indicators/model.js';
import { DATA_SOURCES } from '../../src/pipeline/data-sources.js';
import { SCENARIOS } from '../../src/pipeline/scenarios.js';

const CONTEXT = {
  family: { name: 'Remcos', aliases: [] },
  threatType: 'botnet_cc',
  confidence: 75,
  tags: [],
  references: [],
  reporters: [],
  sourceIds: [],
  origins: [],
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
    removed: { SHA256: HASH, InitiatingProcessFileName: 'MsMpEng.exe' },
    kept: { SHA256: HASH, InitiatingProcessFileName: 'explorer.exe' },
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
