import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkText, type FileCheckResult } from '../../src/validate/check-files.js';
import { checkKql } from '../../src/validate/kusto.js';
import { lintReport } from '../../src/validate/lint/lint-report.js';

/** Returns `[severity, code]` of each diagnostic. */
function summarize(result: FileCheckResult): Array<[string, string]> {
  return result.diagnostics.map((item) => [item.severity, item.code]);
}

const check = (text: string): FileCheckResult => checkText('hunt.kql', text, { analyzers: false });

describe('check of tables without a schema', () => {
  it('warns on a Sentinel table without a schema', () => {
    const result = check(
      'SecurityEvent\n| where TimeGenerated > ago(1d)\n| where EventID == 4688\n',
    );
    assert.deepEqual(summarize(result), [['warning', 'NO_SCHEMA']]);
    assert.match(result.diagnostics[0]?.message ?? '', /no schema for 'SecurityEvent'/);
    assert.match(result.diagnostics[0]?.message ?? '', /did not check the columns/);
  });

  it('warns on an ASIM parser function', () => {
    const result = check('_Im_NetworkSession(starttime=ago(1d))\n| where DstIpAddr == "1.2.3.4"\n');
    assert.deepEqual(summarize(result), [['warning', 'NO_SCHEMA']]);
    assert.match(result.diagnostics[0]?.message ?? '', /'_Im_NetworkSession'/);
  });

  it('keeps a misspelt known table an error', () => {
    const result = check('DeviceNetworkEvent\n| take 1\n');
    assert.deepEqual(summarize(result), [['error', 'KS204']]);
    assert.match(result.diagnostics[0]?.message ?? '', /Did you mean DeviceNetworkEvents\?/);
  });

  it('keeps a long name three edits off an error', () => {
    const result = check('DevNetworkEvents\n| take 1\n');
    assert.deepEqual(summarize(result), [['error', 'KS204']]);
    assert.match(result.diagnostics[0]?.message ?? '', /Did you mean DeviceNetworkEvents\?/);
  });

  it('warns on real tables near known ones', () => {
    for (const table of [
      'DeviceNetworkInfo',
      'AZFWNatRule',
      'DeviceLogonEvents',
      'ThreatIntelIndicators',
    ]) {
      const result = check(`${table}\n| take 1\n`);
      assert.deepEqual(summarize(result), [['warning', 'NO_SCHEMA']], table);
    }
  });

  it('keeps a misspelt let name an error', () => {
    const result = check('let recent = DnsEvents | take 1;\nrecnet\n| take 1\n');
    assert.deepEqual(summarize(result), [['error', 'KS204']]);
    assert.match(result.diagnostics[0]?.message ?? '', /Did you mean recent\?/);
  });

  it('keeps a misspelt built-in function an error', () => {
    const result = check('print x = strlenn("a")\n');
    assert.deepEqual(summarize(result), [['error', 'KS211']]);
  });

  it('names the platform of a Sentinel-only table', () => {
    const result = checkText('hunt.kql', 'CommonSecurityLog\n| take 1\n', {
      platform: 'defender',
      analyzers: false,
    });
    assert.deepEqual(summarize(result), [['error', 'KS204']]);
    assert.match(result.diagnostics[0]?.message ?? '', /is a Sentinel table/);
  });

  it('leaves the build check strict', () => {
    const diagnostics = checkKql('SecurityEvent\n| take 1', { platform: 'sentinel' });
    assert.deepEqual(
      diagnostics.map((item) => [item.severity, item.code]),
      [['error', 'KS204']],
    );
  });

  it('warns in lint too', () => {
    const report = '# Hunt\n\n```kql\nSecurityEvent\n| where EventID == 4688\n```\n';
    const result = lintReport(report, 'r.md');
    const found = result.issues.filter((issue) => issue.code.endsWith('NO_SCHEMA'));
    assert.equal(found.length, 1);
    assert.equal(found[0]?.severity, 'warning');
    assert.ok(!result.issues.some((issue) => issue.severity === 'error'));
  });
});

describe('check of the added schemas', () => {
  const tables: Array<[string, string, string]> = [
    ['ThreatIntelligenceIndicator', 'NetworkIP', 'NetworkIPP'],
    ['ASimNetworkSessionLogs', 'DstIpAddr', 'DstIpAdr'],
    ['AZFWNetworkRule', 'DestinationIp', 'DestinationIpp'],
  ];
  for (const [table, column, misspelt] of tables) {
    it(`accepts ${table}.${column}`, () => {
      const result = check(`${table}\n| where isnotempty(${column})\n`);
      assert.deepEqual(summarize(result), []);
    });

    it(`rejects ${table}.${misspelt}`, () => {
      const result = check(`${table}\n| where isnotempty(${misspelt})\n`);
      assert.deepEqual(summarize(result), [['error', 'KS142']]);
    });
  }
});
