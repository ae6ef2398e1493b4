import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BackgroundKustoChecker,
  backgroundKustoCheck,
} from '../../src/validate/kusto-background.js';
import { checkKql, type KqlCheckOptions } from '../../src/validate/kusto.js';

const CASES: Array<[string, KqlCheckOptions]> = [
  ['CommonSecurityLog | where TimeGenerated > ago(30d) | take 10', { platform: 'sentinel' }],
  ['CommonSecurityLog | where NoSuchColumn == 1', { platform: 'sentinel', analyzers: false }],
  ['DeviceNetworkEvents | where Timestamp > ago(1d)', { platform: 'defender' }],
  ['DeviceNetworkEvents | where TimeGenerated > ago(1d) |', { platform: 'defender' }],
];

test('background check equals checkKql', () => {
  const check = backgroundKustoCheck();
  for (const [text, options] of CASES) {
    assert.deepEqual(check(text, options), checkKql(text, options), text);
  }
});

test('background checker reports errors', () => {
  const checker = new BackgroundKustoChecker();
  try {
    const diagnostics = checker.check('CommonSecurityLog | where NoSuchColumn == 1', {
      platform: 'sentinel',
    });
    assert.ok(diagnostics.some((diagnostic) => diagnostic.severity === 'error'));
    assert.equal(checker.usesWorker, true, 'the check ran on the calling thread');
  } finally {
    checker.close();
  }
});

test('closed checker checks in-thread', () => {
  const checker = new BackgroundKustoChecker();
  checker.close();
  assert.equal(checker.usesWorker, false);
  const [text, options] = CASES[1]!;
  assert.deepEqual(checker.check(text, options), checkKql(text, options));
});
