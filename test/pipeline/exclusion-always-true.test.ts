import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUserExclusions } from '../../src/pipeline/user-exclusions.js';

const ALWAYS_TRUE =
  'The exclusion is always true, so it removes every hit and the hunt finds nothing.';

/** Parses one exclusion on `table`; returns the error message, or undefined when accepted. */
function rejection(table: string, filter: string): string | undefined {
  const text = `exclusions:\n  - id: x\n    tables: [${table}]\n    filter: '${filter}'\n`;
  try {
    parseUserExclusions(text, 'x.yaml');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** [table, filter, missing column that the message names, or '' for none] */
const REJECTED: Array<[string, string, string]> = [
  // int: a port column and a plain int column.
  ['CommonSecurityLog', 'DestinationPort != 4444 or DestinationPort != 8080', 'DestinationPort'],
  ['CommonSecurityLog', 'ProcessID != 1 or ProcessID != 2', 'ProcessID'],
  ['CommonSecurityLog', 'DestinationPort !in (4444) or DestinationPort !in (8080)', ''],
  ['CommonSecurityLog', 'DestinationPort > 1024 or DestinationPort <= 1024', 'DestinationPort'],
  ['CommonSecurityLog', 'DestinationPort < 1024 or DestinationPort > 1000', 'DestinationPort'],
  ['CommonSecurityLog', 'DestinationPort >= 0', 'DestinationPort'],
  [
    'CommonSecurityLog',
    '(DestinationPort >= 1000 and DestinationPort <= 2000) or not(DestinationPort >= 1000 and DestinationPort <= 2000)',
    '',
  ],
  [
    'CommonSecurityLog',
    '(DestinationPort >= 1000 and DestinationPort <= 2000) or DestinationPort < 1000 or DestinationPort > 2000',
    'DestinationPort',
  ],
  [
    'CommonSecurityLog',
    '(DestinationPort != 1 or DestinationPort != 2) or SentBytes > 3',
    'DestinationPort',
  ],
  [
    'CommonSecurityLog',
    'DestinationPort != 1 or DestinationPort != 2 or isempty(DestinationPort)',
    '',
  ],
  // long
  ['CommonSecurityLog', 'SentBytes != 0 or SentBytes != 1', 'SentBytes'],
  ['CommonSecurityLog', 'SentBytes > 0 or SentBytes <= 0', 'SentBytes'],
  ['DeviceNetworkEvents', 'ReportId !in (1, 2) or ReportId in (1, 2)', ''],
  [
    'DeviceNetworkEvents',
    'InitiatingProcessId != 4 or InitiatingProcessId != 8',
    'InitiatingProcessId',
  ],
  // string: a missing string is "", so these are true on every row.
  ['CommonSecurityLog', 'SourceIP != "a" or SourceIP != "b"', ''],
  ['CommonSecurityLog', 'SourceIP !in ("a") or SourceIP !in ("b")', ''],
  ['CommonSecurityLog', 'SourceIP == "a" or SourceIP != "a"', ''],
  // datetime: only emptiness tests can be decided.
  ['CommonSecurityLog', 'isempty(StartTime) or isnotempty(StartTime)', ''],
];

const ACCEPTED: Array<[string, string]> = [
  ['CommonSecurityLog', 'DestinationPort != 4444 and DestinationPort != 8080'],
  ['CommonSecurityLog', 'DestinationPort != 4444'],
  ['CommonSecurityLog', 'DestinationPort > 1024 or DestinationPort < 1024'],
  ['CommonSecurityLog', 'DestinationPort in (4444) or DestinationPort !in (4444, 8080)'],
  [
    'CommonSecurityLog',
    '(DestinationPort > 1000 and DestinationPort <= 2000) or DestinationPort < 1000 or DestinationPort > 2000',
  ],
  ['CommonSecurityLog', 'not(DestinationPort >= 1000 and DestinationPort <= 2000)'],
  ['CommonSecurityLog', 'DestinationPort != 4444 or ProcessID != 1'],
  ['CommonSecurityLog', 'isnotempty(DestinationPort)'],
  ['CommonSecurityLog', 'SentBytes > 0 or SentBytes < 0'],
  ['DeviceNetworkEvents', 'ReportId !in (1, 2) or ReportId in (1)'],
  ['CommonSecurityLog', 'SourceIP != "a" and SourceIP != "b"'],
  ['CommonSecurityLog', 'SourceIP !in ("a", "b") or SourceIP == "a"'],
  ['CommonSecurityLog', 'isnotempty(StartTime)'],
];

test('always-true exclusion shapes are rejected', () => {
  for (const [table, filter, missing] of REJECTED) {
    const message = rejection(table, filter);
    assert.ok(message, `${filter} on ${table} was accepted`);
    const verdict = missing
      ? `The exclusion is true on every event where ${missing} is set, so it removes every such hit.`
      : ALWAYS_TRUE;
    assert.ok(message.includes(`on ${table}: ${verdict}`), `${filter}: ${message}`);
    const names = message.match(/where (\w+) is set, so it removes/)?.[1] ?? '';
    assert.equal(names, missing, filter);
    const advice = missing
      ? `or write isnotempty(${missing}) to remove every event where ${missing} is set.`
      : 'Narrow the filter to the benign events it should remove.';
    assert.ok(message.includes(advice), `${filter}: ${message}`);
  }
});

test('always-true exclusion names the kept events', () => {
  // [filter on CommonSecurityLog, the events it keeps as the message states them]
  const cases: Array<[string, string]> = [
    ['DestinationPort != 4444 or DestinationPort != 8080', 'where DestinationPort is missing'],
    // False only where both ports are missing, although SentBytes alone makes it true when set.
    [
      'DestinationPort != 1 or DestinationPort != 2 or SentBytes != 1 or SentBytes != 2',
      'where DestinationPort and SentBytes are both missing',
    ],
    [
      '(DestinationPort != 1 or DestinationPort != 2) and (SentBytes != 1 or SentBytes != 2)',
      'where DestinationPort or SentBytes is missing',
    ],
    [
      '(DestinationPort != 1 or DestinationPort != 2) or SentBytes > 3',
      'where DestinationPort is missing and SentBytes is at most 3, or where DestinationPort and SentBytes are both missing',
    ],
    // not(SentBytes == 1 or SentBytes != 1) is true only where SentBytes is missing.
    [
      '(DestinationPort != 1 or DestinationPort != 2) or not(SentBytes == 1 or SentBytes != 1)',
      'where DestinationPort is missing and SentBytes is set',
    ],
  ];
  for (const [filter, kept] of cases) {
    const message = rejection('CommonSecurityLog', filter) ?? '';
    assert.ok(
      message.includes(
        `It keeps only the events ${kept}, because a comparison on a missing value is false.`,
      ),
      `${filter}: ${message}`,
    );
  }
});

test('exclusion shapes that may be false pass', () => {
  for (const [table, filter] of ACCEPTED) {
    assert.equal(rejection(table, filter), undefined, filter);
  }
});

test(
  'datetime comparisons are related',
  { todo: 'the checker leaves comparisons on datetime columns unrelated' },
  () => {
    assert.ok(
      rejection('CommonSecurityLog', 'StartTime != "2024-01-01" or StartTime != "2024-01-02"'),
    );
  },
);
