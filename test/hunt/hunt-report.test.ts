import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HuntFinding } from '../../src/hunt/findings.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { createLogReadStats, type LogReadStats } from '../../src/hunt/logs/log-stats.js';

const OPTIONS = { title: 'Remcos', logs: ['fw.log'], window: 'none', generatorVersion: '0.0.0' };

/** Returns a finding of a connection from its own host to its own indicator. */
function finding(index: number, columns: HuntFinding['columns'] = {}): HuntFinding {
  return {
    time: new Date(Date.UTC(2026, 3, 1) + index * 1000),
    file: 'fw.log',
    line: index + 1,
    table: 'CommonSecurityLog',
    huntId: 'remcos-sentinel-csl-port-aware',
    variant: 'port-aware',
    matchedOn: 'destination',
    indicator: {
      value: `198.51.${Math.floor(index / 256) % 256}.${index % 256}:443`,
      family: 'Remcos',
    },
    host: `host-${index}`,
    columns,
  };
}

function result(findings: HuntFinding[], stats: LogReadStats = createLogReadStats()) {
  stats.linesRead = stats.eventsParsed = findings.length;
  return {
    findings,
    stats,
    huntsRun: ['remcos-sentinel-csl-port-aware'],
    skipped: [],
    eventsByTable: { CommonSecurityLog: findings.length },
    eventsOutsideWindow: 0,
  };
}

describe('renderHuntReport', () => {
  it('writes 200,000 findings', () => {
    const findings = Array.from({ length: 200_000 }, (_, index) => finding(index));
    const text = renderHuntReport(result(findings), OPTIONS);
    assert.match(text, /## Findings: 200000\n/);
    // Every host and indicator gets a summary row, but the timeline stops at 1,000 rows.
    assert.equal(text.match(/^\| host-\d+ \|/gm)?.length, 200_000);
    assert.match(text, /\n199000 more findings are not listed;/);
  });
});
