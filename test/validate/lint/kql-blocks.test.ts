import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findKqlBlocks } from '../../../src/validate/lint/kql-blocks.js';
import { lintReport } from '../../../src/validate/lint/lint-report.js';

const INDICATORS = ['Indicators', 'ip:port 45[.]92[.]1[.]175:5220', '', 'Query:'];

function blockLines(lines: string[]): Array<[number, number]> {
  return findKqlBlocks(lines.join('\n')).map((block) => [block.startLine, block.endLine]);
}

function codes(lines: string[]): string[] {
  const result = lintReport(lines.join('\n'), 'report.txt', { checkKql: false });
  return result.issues.map((issue) => issue.code);
}

test('blocks keep comment lines between pipes', () => {
  const report = [
    ...INDICATORS,
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '// outbound only',
    '| where ActionType == "ConnectionSuccess"',
    '| where RemoteIP == "45.92.1.175" and RemotePort == 5220',
  ];
  assert.deepEqual(blockLines(report), [[5, 9]]);
  assert.deepEqual(codes(report), []);
});

test('blocks end at a comment before a query', () => {
  const report = [
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '// second query',
    'DeviceProcessEvents',
    '| where TimeGenerated > ago(7d)',
  ];
  assert.deepEqual(blockLines(report), [
    [1, 2],
    [3, 5],
  ]);
});

test('blocks read multi-line brackets', () => {
  const dynamic = [
    ...INDICATORS,
    'let malicious_ips = dynamic([',
    '"45.92.1.175"',
    ']);',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP in (malicious_ips) and RemotePort == 5220',
  ];
  assert.deepEqual(blockLines(dynamic), [[5, 10]]);
  assert.deepEqual(codes(dynamic), []);

  const table = [
    'let ports = datatable(Port: int)[',
    '  5220,',
    '3131',
    '];',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemotePort in (ports)',
  ];
  assert.deepEqual(blockLines(table), [[1, 7]]);
});

test('blocks read continuation lines', () => {
  const report = [
    ...INDICATORS,
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP == "45.92.1.175"',
    'and RemotePort == 5220',
  ];
  assert.deepEqual(blockLines(report), [[5, 8]]);
  assert.deepEqual(codes(report), []);
});

test('blocks read lines ending in a pipe', () => {
  const report = [
    ...INDICATORS,
    'DeviceNetworkEvents |',
    'where TimeGenerated > ago(7d) |',
    'where RemoteIP == "45.92.1.175" and RemotePort == 5220 |',
    'project RemoteIP',
  ];
  assert.deepEqual(blockLines(report), [[5, 8]]);
  assert.deepEqual(codes(report), []);
});

test('blocks skip Markdown table rows', () => {
  const report = [
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| Sentinel Table | Notes |',
    '|---|---|',
    'CommonSecurityLog | Enabled |',
    'DeviceNetworkEvents | Enabled |',
    'Scenario: Admin tools',
  ];
  assert.deepEqual(blockLines(report), [[1, 2]]);
});

test('lint finds a kql block in a block quote', () => {
  const report = ['# Hunt', '', '> ```kql', '> DnsEvents', '> | take 1', '> ```', ''].join('\n');
  const blocks = findKqlBlocks(report);
  assert.deepEqual(
    blocks.map((block) => [block.startLine, block.endLine, block.tables]),
    [[4, 5, ['DnsEvents']]],
  );
  assert.equal(blocks[0]?.text, '  DnsEvents\n  | take 1');
});

test('heading above a Markdown table is no query', () => {
  for (const heading of ['Indicators', 'IOCs', 'Summary']) {
    const report = [heading, '| Type | Value |', '|---|---|', '| domain | evil-c2[.]com |'];
    assert.deepEqual(blockLines(report), [], heading);
  }
  // An unknown table piped into an operator line is still a query.
  assert.deepEqual(blockLines(['SecurityEvent', '| where EventID == 4625']), [[1, 2]]);
});

test('trees and open tables are no query', () => {
  const report = [
    'explorer.exe',
    '|- wscript.exe invoice.js',
    '|-- remcos.exe',
    '',
    'Type | Value',
    '| domain | evil-c2[.]com',
    '',
    '```',
    'svchost.exe',
    '|- remcos.exe',
    '```',
  ];
  assert.deepEqual(blockLines(report), []);
  assert.deepEqual(blockLines(['MyLogs_CL', '| where Level == "error"', '| take 5']), [[1, 3]]);
});
