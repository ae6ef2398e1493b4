import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HuntFinding } from '../../src/hunt/findings.js';
import {
  describeEvent,
  formatFindingsTable,
  formatSummaryTable,
} from '../../src/hunt/format-findings.js';
import { summarizeByHost } from '../../src/hunt/findings.js';
import { makeFinding } from '../helpers/hunt-fixtures.js';

/** Returns a finding of a connection from host `10.0.x.y` to the indicator `198.51.100.7:443`. */
function finding(index: number): HuntFinding {
  const host = `10.0.${Math.floor(index / 256) % 256}.${index % 256}`;
  return makeFinding(index, {
    host: `${host}-${index}`,
    columns: { SourceIP: host, DestinationIP: '198.51.100.7', DestinationPort: 443 },
  });
}

describe('formatFindingsTable', () => {
  it('aligns columns to the widest cell', () => {
    const text = formatFindingsTable([finding(0), finding(300)]);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.indexOf('HUNT'), lines[1]!.indexOf('remcos-'));
    assert.equal(lines[1]!.indexOf('fw.log:1 '), lines[2]!.indexOf('fw.log:301'));
  });

  it('writes 200,000 findings', () => {
    const findings = Array.from({ length: 200_000 }, (_, index) => finding(index));
    const text = formatFindingsTable(findings);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 200_001);
    assert.match(lines[200_000]!, /fw\.log:200000 +10\.0\.13\.63 -> 198\.51\.100\.7:443$/);
    const summary = formatSummaryTable('HOST', 'INDICATORS', summarizeByHost(findings));
    assert.equal(summary.trimEnd().split('\n').length, 200_001);
  });
});

describe('describeEvent', () => {
  /** Returns a Defender connection between 10.0.0.5:3389 and 45.61.2.13:4444 of this ActionType. */
  function defender(actionType: string): HuntFinding {
    return makeFinding(0, {
      table: 'DeviceNetworkEvents',
      matchedOn: 'remote',
      columns: {
        LocalIP: '10.0.0.5',
        LocalPort: 3389,
        RemoteIP: '45.61.2.13',
        RemotePort: 4444,
        ActionType: actionType,
      },
    });
  }

  it('points Defender arrows the way of the connection', () => {
    assert.equal(
      describeEvent(defender('InboundConnectionAccepted')),
      '45.61.2.13:4444 -> 10.0.0.5:3389 ActionType=InboundConnectionAccepted',
    );
    assert.equal(
      describeEvent(defender('ConnectionSuccess')),
      '10.0.0.5:3389 -> 45.61.2.13:4444 ActionType=ConnectionSuccess',
    );
    assert.equal(
      describeEvent(defender('HttpConnectionInspected')),
      '10.0.0.5:3389 <-> 45.61.2.13:4444 ActionType=HttpConnectionInspected',
    );
    assert.equal(
      describeEvent(defender('ListeningConnectionCreated')),
      '10.0.0.5:3389 <-> 45.61.2.13:4444 ActionType=ListeningConnectionCreated',
    );
  });

  it('keeps the firewall source first', () => {
    assert.equal(describeEvent(finding(1)), '10.0.0.1 -> 198.51.100.7:443');
  });
});
