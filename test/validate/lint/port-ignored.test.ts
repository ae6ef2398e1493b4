import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lintReport } from '../../../src/validate/lint/lint-report.js';

const QUERY = [
  '```kql',
  'DeviceNetworkEvents',
  '| where TimeGenerated > ago(7d)',
  '| where RemoteIP == "45.92.1.175"',
  '```',
];

function portIgnored(lines: string[]): number {
  const result = lintReport(lines.join('\n'), 'r.md', { checkKql: false });
  return result.issues.filter((issue) => issue.code === 'PORT_IGNORED').length;
}

test('port check flags an ip:port hunted bare', () => {
  const lines = ['| Type | Value |', '|---|---|', '| ip:port | 45[.]92[.]1[.]175:5220 |', ''];
  assert.equal(portIgnored([...lines, ...QUERY]), 1);
});

test('port check accepts an address listed bare too', () => {
  const lines = [
    '| Type | Value |',
    '|---|---|',
    '| ip | 45[.]92[.]1[.]175 |',
    '| ip:port | 45[.]92[.]1[.]175:5220 |',
    '',
  ];
  assert.equal(portIgnored([...lines, ...QUERY]), 0);
});

test('port check skips the set-aside section', () => {
  const lines = [
    '## Indicators',
    '',
    '| Type | Value |',
    '|---|---|',
    '| ip | 45[.]92[.]1[.]175 |',
    '',
    ...QUERY,
    '',
    '## Set aside',
    '',
    '- The feed also listed 45[.]92[.]1[.]175:80 last year; that service is gone.',
  ];
  assert.equal(portIgnored(lines), 0);
});

test('port check brackets an IPv6 example', () => {
  const report = [
    '| Type | Value |',
    '|---|---|',
    '| ip:port | [2a01:4f8:c17:1234::1]:8443 |',
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP in ("2a01:4f8:c17:1234::1")',
    '```',
  ];
  const result = lintReport(report.join('\n'), 'r.md', { checkKql: false });
  const message = result.issues.find((issue) => issue.code === 'PORT_IGNORED')?.message ?? '';
  assert.ok(message.includes('([2a01:4f8:c17:1234::1]:8443)'), message);
});
