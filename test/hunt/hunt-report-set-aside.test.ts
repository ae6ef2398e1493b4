import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createLogReadStats } from '../../src/hunt/logs/log-stats.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import type { SetAsideIndicator } from '../../src/report/pack-model.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

const OPTIONS = {
  title: 'feed f.txt',
  logs: ['fw.log'],
  window: 'none',
  generatorVersion: '0.0.0',
};

/** A run that read one event and found nothing. */
const NO_FINDINGS = {
  findings: [],
  stats: { ...createLogReadStats(), linesRead: 1, eventsParsed: 1 },
  huntsRun: ['x-sentinel-csl-port-aware'],
  skipped: [],
  eventsByTable: { CommonSecurityLog: 1 },
  eventsOutsideWindow: 0,
  eventsWithoutTime: 0,
};

/** Returns `count` private ip:port indicators, each set aside by the rfc1918 list. */
function privateSetAside(count: number): SetAsideIndicator[] {
  const entries = Array.from({ length: count }, (_, index): [string, string] => [
    'ip:port',
    `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}:443`,
  ]);
  return makeIndicators(entries).map((indicator) => ({
    indicator,
    list: 'rfc1918',
    listVersion: 5,
    entry: '10.0.0.0/8',
    reason: 'a private address (RFC 1918): not routable on the internet.',
  }));
}

describe('renderHuntReport set-aside section', () => {
  it('lists each indicator defanged', () => {
    const [domain] = makeIndicators([['domain', 'ident.me']]);
    const setAside: SetAsideIndicator[] = [
      {
        indicator: domain!,
        list: 'whats-my-ip',
        listVersion: 10,
        entry: 'ident.me',
        reason: 'a what-is-my-IP service.',
      },
    ];
    const text = renderHuntReport(NO_FINDINGS, { ...OPTIONS, setAside });

    assert.match(text, /\n## Set aside by allowlists: 1 indicator\n/);
    assert.match(
      text,
      /\n\| domain \| `ident\[\.\]me` \| whats-my-ip \(version 10\) \| `ident\[\.\]me` \| a what-is-my-IP service\. \|\n/,
    );
    assert.doesNotMatch(text, /ident\.me/);
    // The section comes before the findings, so "no findings" is read with it in view.
    assert.ok(text.indexOf('## Set aside') < text.indexOf('## Findings'));
    assert.match(text, /No event matched an indicator that was hunted\./);
  });

  it('caps the table at 1,000 rows', () => {
    const text = renderHuntReport(NO_FINDINGS, { ...OPTIONS, setAside: privateSetAside(1001) });

    assert.match(text, /## Set aside by allowlists: 1001 indicators/);
    assert.equal(text.match(/^\| ip:port \| `10\[\.\]0\[\.\]/gm)?.length, 1000);
    assert.match(
      text,
      /The first 1,000 of 1,001 indicators set aside are shown; run with --json for all of them\./,
    );
  });

  it('leaves the section out without set-aside indicators', () => {
    const text = renderHuntReport(NO_FINDINGS, { ...OPTIONS, setAside: [] });

    assert.doesNotMatch(text, /Set aside/);
    assert.match(text, /\nNo event matched an indicator\.\n/);
  });
});
