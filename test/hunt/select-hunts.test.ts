import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Hunt } from '../../src/compile/ir.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { joinHuntParts, selectLocalHunts } from '../../src/hunt/select-hunts.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/** Cuts a hunt into `count` numbered parts, as the KQL splitter does. */
function splitHunt(hunt: Hunt, count: number): Hunt[] {
  const size = Math.ceil(hunt.iocs.rows.length / count);
  return Array.from({ length: count }, (_, i) => ({
    ...hunt,
    id: `${hunt.id}-part${i + 1}`,
    part: { index: i + 1, count },
    iocs: { columns: hunt.iocs.columns, rows: hunt.iocs.rows.slice(i * size, (i + 1) * size) },
  }));
}

/** Hunts of five address indicators, with the Sentinel and Defender copies of each DeviceNetworkEvents hunt split differently. */
function splitPackHunts(): Hunt[] {
  const indicators = makeIndicators(
    ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'].map(
      (address, i) => ['ip:port', `${address}:${8000 + i}`] as [string, string],
    ),
  );
  const hunts = buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });
  return hunts.flatMap((hunt) => {
    if (hunt.source.table !== 'DeviceNetworkEvents') return [hunt];
    return splitHunt(hunt, hunt.source.platform === 'defender' ? 2 : 3);
  });
}

describe('selectLocalHunts', () => {
  it('joins the parts of split hunts', () => {
    const hunts = splitPackHunts();
    const joined = joinHuntParts(hunts);
    const network = joined.filter((hunt) => hunt.source.table === 'DeviceNetworkEvents');
    assert.ok(network.length >= 2);
    for (const hunt of network) {
      assert.equal(hunt.part, undefined);
      assert.doesNotMatch(hunt.id, /-part\d+$/);
      assert.equal(hunt.iocs.rows.length, 5);
    }
    // Parts given out of order are joined in part order.
    const reversed = joinHuntParts([...hunts].reverse());
    const first = network[0]!;
    assert.deepEqual(reversed.find((hunt) => hunt.id === first.id)?.iocs.rows, first.iocs.rows);
  });

  it('runs a hunt split differently per platform once', () => {
    const selection = selectLocalHunts(splitPackHunts());
    const network = selection.hunts.filter((hunt) => hunt.source.table === 'DeviceNetworkEvents');
    const variants = network.map((hunt) => hunt.variant).sort();
    assert.deepEqual(variants, [...new Set(variants)]);
    assert.ok(selection.skipped.some((skipped) => skipped.sameAs !== undefined));
  });

  it('reports each hit of a split hunt once', async (t) => {
    const folder = makeTempDir('split', t);
    const log = join(folder, 'dne.jsonl');
    const event = {
      Timestamp: '2026-04-01T10:00:00Z',
      DeviceName: 'pc1',
      ActionType: 'ConnectionSuccess',
      RemoteIP: '203.0.113.4',
      RemotePort: 8003,
      LocalIP: '10.0.0.5',
    };
    writeFileSync(log, `${JSON.stringify(event)}\n`);
    const result = await huntLogs(splitPackHunts(), [log]);
    const hits = result.findings.map((finding) => `${finding.huntId} ${finding.variant}`).sort();
    assert.equal(hits.length, 2, hits.join('\n'));
    assert.deepEqual(result.findings.map((finding) => finding.variant).sort(), [
      'address-only',
      'port-aware',
    ]);
  });

  it('says whether the hunt in its place ran', async (t) => {
    const folder = makeTempDir('same-as', t);
    const dne = join(folder, 'dne.jsonl');
    const event = {
      Timestamp: '2026-04-01T10:00:00Z',
      DeviceName: 'pc1',
      ActionType: 'ConnectionSuccess',
      RemoteIP: '198.51.100.1',
      RemotePort: 443,
      LocalIP: '10.0.0.5',
    };
    writeFileSync(dne, `${JSON.stringify(event)}\n`);
    const cef = join(folder, 'fw.log');
    writeFileSync(
      cef,
      'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.0.0.5 dst=198.51.100.1 dpt=443 rt=1775037600000\n',
    );

    const ran = await huntLogs(splitPackHunts(), [dne]);
    const ranDuplicates = ran.skipped.filter((skipped) => skipped.sameAs !== undefined);
    assert.ok(ranDuplicates.length >= 2, JSON.stringify(ran.skipped));
    for (const { sameAs, reason } of ranDuplicates) {
      assert.ok(ran.huntsRun.includes(sameAs!), sameAs);
      assert.equal(reason, `Same logic and indicators as ${sameAs}, which ran in its place.`);
    }

    const notRun = await huntLogs(splitPackHunts(), [cef]);
    const notRunDuplicates = notRun.skipped.filter((skipped) => skipped.sameAs !== undefined);
    assert.equal(notRunDuplicates.length, ranDuplicates.length);
    const report = renderHuntReport(notRun, {
      title: 'Remcos',
      logs: [cef],
      window: 'none',
      generatorVersion: '0.0.0',
    });
    for (const { huntId, sameAs, reason } of notRunDuplicates) {
      assert.ok(!notRun.huntsRun.includes(sameAs!), sameAs);
      assert.ok(
        notRun.skipped.some(
          (skipped) =>
            skipped.huntId === sameAs &&
            skipped.reason === 'The logs hold no DeviceNetworkEvents events.',
        ),
        sameAs,
      );
      const expected =
        `Same logic and indicators as ${sameAs}, which did not run either, ` +
        'because the logs hold no DeviceNetworkEvents events.';
      assert.equal(reason, expected);
      assert.ok(report.includes(`| ${huntId} | ${expected} |`), report);
    }
    assert.doesNotMatch(report, /which ran|which runs/);
  });
});
