import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refangLine, spanIsDefanged } from '../../src/feeds/text-refang.js';

const cases: Array<[string, string]> = [
  ['evil[.]com', 'evil.com'],
  ['evil(.)com', 'evil.com'],
  ['evil{.}com', 'evil.com'],
  ['evil[ . ]com', 'evil.com'],
  ['evil[dot]com', 'evil.com'],
  ['evil(dot)com', 'evil.com'],
  ['evil{DOT}com', 'evil.com'],
  ['evil [dot] com', 'evil.com'],
  ['evil [ dot ] com', 'evil.com'],
  ['hxxp://evil.com', 'http://evil.com'],
  ['hXXp://evil.com', 'http://evil.com'],
  ['hxxps://evil.com', 'https://evil.com'],
  ['hXXps://evil.com', 'https://evil.com'],
  ['hxxps[:]//evil.com', 'https://evil.com'],
  ['hxxps[://]evil.com', 'https://evil.com'],
  ['hxxp:[//]evil.com', 'http://evil.com'],
  ['http[:]//evil.com', 'http://evil.com'],
  ['fxp://evil.com', 'ftp://evil.com'],
  ['fxps[:]//evil.com', 'ftps://evil.com'],
  ['1.2.3[.]4[:]8080', '1.2.3.4:8080'],
  ['2605:6400:20:9d:2d8c:6f33:f4db[:]ab02', '2605:6400:20:9d:2d8c:6f33:f4db:ab02'],
  ['user[@]evil.com', 'user@evil.com'],
  ['evil.com[/]gate', 'evil.com/gate'],
  ['195.226.218.[.]234', '195.226.218.234'],
  ['195.226.218[.].234', '195.226.218.234'],
];

test('refangLine refangs each defang form', () => {
  for (const [defanged, expected] of cases) {
    assert.equal(refangLine(defanged).text, expected, defanged);
  }
});

test('refangLine leaves dot words and plain text alone', () => {
  for (const text of [
    'dotnet.com',
    'polkadot.network',
    'evil dot com',
    'hxxpfoo',
    'hxxp only',
    'FXP: copy',
  ]) {
    assert.equal(refangLine(text).text, text, text);
    assert.equal(refangLine(text).defanged.includes(true), false, text);
  }
});

test('refangLine marks the refanged characters', () => {
  const line = refangLine('a evil[.]com b');
  assert.equal(line.text, 'a evil.com b');
  assert.equal(line.defanged.length, line.text.length);
  assert.equal(spanIsDefanged(line, 2, 10), true);
  assert.equal(spanIsDefanged(line, 0, 2), false);
  assert.equal(spanIsDefanged(line, 10, 12), false);
});

test('refangLine reports a repaired extra dot', () => {
  assert.deepEqual(refangLine('195.226.218.[.]234:80').repaired, ['.[.]']);
  assert.deepEqual(refangLine('195.226.218[.]234').repaired, []);
});
