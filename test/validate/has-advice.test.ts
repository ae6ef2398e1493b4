import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../src/validate/check-files.js';
import { suggestedHasOperator } from '../../src/validate/has-advice.js';

const PREFIX = 'DeviceNetworkEvents | where Timestamp > ago(7d) | where ';

/** Returns the code and message of each diagnostic of a one-line query, in order. */
function checkCondition(condition: string): Array<[string, string]> {
  const result = checkText('/hunts/q.kql', `${PREFIX}${condition}\n`);
  return result.diagnostics.map((item) => [item.code, item.message]);
}

test('suggested has operator per contains form', () => {
  const cases: Array<[string, string | undefined]> = [
    ['contains', 'has'],
    ['contains_cs', 'has_cs'],
    ['containscs', 'has_cs'],
    ['!contains', '!has'],
    ['notcontains', '!has'],
    ['!contains_cs', '!has_cs'],
    ['startswith', undefined],
    ['has', undefined],
  ];
  for (const [operator, expected] of cases) {
    assert.equal(suggestedHasOperator(operator), expected, operator);
  }
});

test('host advice gets a lint note', () => {
  const diagnostics = checkCondition('RemoteUrl contains "evil.com"');
  assert.deepEqual(
    diagnostics.map(([code]) => code),
    ['KS500', 'LOOSE_HAS_ADVICE'],
  );
  const note = diagnostics[1]![1];
  assert.match(
    note,
    /^Do not follow the KS500 advice here: RemoteUrl has "evil\.com" also matches /,
  );
  assert.match(note, /longer names/);
  assert.match(note, /run: huntpack lint \/hunts\/q\.kql$/);
});

test('note sits under the advised operator', () => {
  const result = checkText('/hunts/q.kql', `${PREFIX}RemoteUrl contains "evil.com"\n`);
  const [advice, note] = result.diagnostics;
  assert.equal(note?.source.line, advice?.source.line);
  assert.equal(note?.source.column, PREFIX.length + 'RemoteUrl '.length + 1);
  assert.equal(note?.source.column, advice?.source.column);
  assert.equal(note?.length, 'contains'.length);
  assert.equal(note?.severity, 'info');
});

test('negated host advice says removes', () => {
  const diagnostics = checkCondition('RemoteUrl !contains_cs "good.net"');
  const note = diagnostics.find(([code]) => code === 'LOOSE_HAS_ADVICE');
  assert.match(note?.[1] ?? '', /RemoteUrl !has_cs "good\.net" also removes longer names/);
});

test('no note where has is exact', () => {
  // `has` compares whole terms, so on a column of one address it matches only that address.
  const address = checkCondition('RemoteIP contains "10.0.0.1"');
  assert.ok(address.some(([code]) => code === 'KS500'));
  assert.ok(!address.some(([code]) => code === 'LOOSE_HAS_ADVICE'));
  // A command line is free text, where `has` is the usual search.
  const commandLine = checkCondition('InitiatingProcessCommandLine contains "evil.com"');
  assert.ok(commandLine.some(([code]) => code === 'KS500'));
  assert.ok(!commandLine.some(([code]) => code === 'LOOSE_HAS_ADVICE'));
  // A word that is no host name.
  const word = checkCondition('RemoteUrl contains "payload"');
  assert.ok(word.some(([code]) => code === 'KS500'));
  assert.ok(!word.some(([code]) => code === 'LOOSE_HAS_ADVICE'));
});
