import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HuntFinding } from '../../src/hunt/findings.js';
import { formatFindingsTable, formatSummaryTable } from '../../src/hunt/format-findings.js';
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
