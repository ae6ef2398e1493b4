import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { evaluateHunt, type EventRow } from '../../src/compile/evaluate.js';
import type { Hunt } from '../../src/compile/ir.js';
import { checkKql } from '../../src/validate/kusto.js';
import { hitsOnBothSides } from '../helpers/agreement.js';
import { edgeHunts, huntById } from '../helpers/hunt-fixtures.js';

/** DeviceEvents rows as Defender writes them, each with the ActionType that decides its fate. */
const EVENTS: EventRow[] = [
  // 0: an outbound connection to the C2 port that the firewall blocked.
  { ActionType: 'FirewallOutboundConnectionBlocked', RemoteIP: '203.0.113.7', RemotePort: 443 },
  // 1: the same address in an antivirus event, which carries no connection.
  { ActionType: 'AntivirusDetection', RemoteIP: '203.0.113.7', RemotePort: 443 },
  // 2: network protection blocked a URL on an indicator domain.
  {
    ActionType: 'ExploitGuardNetworkProtectionBlocked',
    RemoteUrl: 'https://x.c2.badhost.test/login',
  },
  // 3: SmartScreen warned about an indicator URL.
  { ActionType: 'SmartScreenUrlWarning', RemoteUrl: 'http://payload.example/a/b.php?id=1' },
  // 4: an inbound connection from an indicator address that the firewall blocked.
  { ActionType: 'FirewallInboundConnectionBlocked', RemoteIP: '198.51.100.23', RemotePort: 4444 },
  // 5: an ActionType outside the network list with an indicator URL.
  { ActionType: 'FileCreated', RemoteUrl: 'http://payload.example/a/b.php?id=1' },
  // 6: a user opened an indicator URL from another app.
  { ActionType: 'BrowserLaunchedToOpenUrl', RemoteUrl: 'https://drop.example/' },
];

function hitEvents(hunt: Hunt): number[] {
  return [...new Set(evaluateHunt(hunt, EVENTS).map((hit) => hit.eventIndex))];
}

describe('DeviceEvents hunts', () => {
  let hunts: Hunt[];
  let session: DuckDbHuntSession;
  before(async () => {
    hunts = edgeHunts();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => session.close());

  it('exist per variant and platform', () => {
    for (const platform of ['sentinel', 'defender']) {
      for (const variant of ['port-aware', 'address-only', 'domain', 'url']) {
        const hunt = huntById(hunts, `remcos-${platform}-de-${variant}`);
        assert.equal(hunt.source.table, 'DeviceEvents');
        assert.equal(hunt.where?.kind, 'in');
      }
    }
    // The hash hunt reads every ActionType: see the DeviceEvents hash hunt tests.
    for (const platform of ['sentinel', 'defender']) {
      assert.equal(huntById(hunts, `remcos-${platform}-de-hash`).where, undefined, platform);
    }
  });

  it('match only network ActionTypes', () => {
    assert.deepEqual(hitEvents(huntById(hunts, 'remcos-sentinel-de-port-aware')), [0]);
    // Events 3 and 6 match through the hosts of the URL indicators, which join the domain table.
    assert.deepEqual(hitEvents(huntById(hunts, 'remcos-sentinel-de-domain')), [2, 3, 6]);
    assert.deepEqual(hitEvents(huntById(hunts, 'remcos-sentinel-de-url')), [3, 6]);
  });

  it('drop blocked inbound probes by default', () => {
    const hunt = huntById(hunts, 'remcos-sentinel-de-address-only');
    assert.deepEqual(hitEvents(hunt), [0]);
    assert.ok(hunt.exclusions.some((exclusion) => exclusion.id === 'denied-inbound-endpoint'));
  });

  it('agree between DuckDB and the evaluator', async () => {
    const { duckdb, reference } = await hitsOnBothSides(session, hunts, 'DeviceEvents', EVENTS);
    assert.deepEqual(duckdb, reference);
    assert.ok(reference.length > 0, 'the events must produce hits');
  });

  it('compile to KQL that filters ActionType', () => {
    const networkHunts = hunts.filter(
      (candidate) => candidate.source.table === 'DeviceEvents' && candidate.variant !== 'hash',
    );
    assert.ok(networkHunts.length > 0);
    for (const hunt of networkHunts) {
      const query = compileKql(hunt, { generatorVersion: 'test' });
      assert.match(query, /\| where ActionType in \("FirewallInboundConnectionBlocked", /);
      const errors = checkKql(query, { platform: hunt.source.platform }).filter(
        (diagnostic) => diagnostic.severity === 'error',
      );
      assert.deepEqual(errors, [], `${hunt.id}\n${query}`);
    }
  });
});
