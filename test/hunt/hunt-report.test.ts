import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HuntFinding } from '../../src/hunt/findings.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { createLogReadStats, type LogReadStats } from '../../src/hunt/logs/log-stats.js';
import { makeFinding } from '../helpers/hunt-fixtures.js';

const OPTIONS = { title: 'Remcos', logs: ['fw.log'], window: 'none', generatorVersion: '0.0.0' };

/** Returns a finding of a connection from its own host to its own indicator. */
function finding(index: number, columns: HuntFinding['columns'] = {}): HuntFinding {
  const value = `198.51.${Math.floor(index / 256) % 256}.${index % 256}:443`;
  return makeFinding(index, { indicator: { value, family: 'Remcos' }, columns });
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

  it('escapes control characters in every value', () => {
    const esc = '\x1b[2J';
    const findings = [
      {
        ...finding(0, { RequestURL: `http://x.test/${esc}`, DeviceAction: 'allow\x07' }),
        host: `host${esc}`,
        file: `fw${esc}.log`,
        huntId: `hunt${esc}`,
      },
    ];

    const stats = createLogReadStats();
    stats.fieldWarnings = 1;
    stats.fieldWarningsByReason = { INVALID_PORT: 1 };
    stats.warnings = [
      {
        code: 'INVALID_PORT',
        severity: 'warning',
        message: `Invalid port ${esc}`,
        source: { file: `fw${esc}.log`, line: 3 },
      },
    ];
    stats.fileErrors = [{ code: 'READ_FAILED', severity: 'error', message: `Cannot read ${esc}` }];

    const text = renderHuntReport(
      { ...result(findings, stats), skipped: [{ huntId: `other${esc}`, reason: `none${esc}` }] },
      { ...OPTIONS, title: `Remcos${esc}`, logs: [`fw${esc}.log`], window: `30d${esc}` },
    );

    // eslint-disable-next-line no-control-regex -- the report must contain no control character
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    assert.match(text, /^# Hunt report: Remcos\\\\x1b\[2J\n/);
    assert.match(text, /- Paths: `fw\\x1b\[2J\.log`/);
    assert.match(text, /RequestURL=http:\/\/x\.test\/\\\\x1b\[2J DeviceAction=allow\\\\x07/);
    assert.match(text, /Invalid port \\\\x1b\[2J/);
  });
});
