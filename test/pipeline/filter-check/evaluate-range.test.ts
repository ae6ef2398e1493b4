import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAtom, type FilterAtom } from '../../../src/pipeline/filter-check/evaluate.js';

/** [range, value, whether the value lies in the range] */
const CASES: Array<[string, string, boolean]> = [
  ['10.0.0.0/8', '10.1.2.3', true],
  ['10.0.0.0/8', '::ffff:10.1.2.3', true],
  ['10.0.0.0/8', '::ffff:a01:203', true],
  ['10.0.0.0/8', '0:0:0:0:0:ffff:10.1.2.3', true],
  ['10.0.0.0/8', '::ffff:11.1.2.3', false],
  ['10.0.0.0/8', '::a01:203', false],
  ['10.0.0.0/8', '2001:db8::1', false],
  ['10.0.0.0/8', '10.1', false],
  ['10.0.0.0/8', '', false],
  ['::ffff:10.0.0.0/104', '10.1.2.3', true],
  ['::ffff:10.0.0.0/104', '::ffff:a01:203', true],
  ['::ffff:10.0.0.0/104', '11.1.2.3', false],
  ['2001:db8::/32', '2001:DB8:0:0::1', true],
];

test('range atom reads every address spelling', () => {
  for (const [range, value, expected] of CASES) {
    const atom: FilterAtom = { kind: 'cidr', column: 'SourceIP', ranges: [range] };
    assert.equal(evaluateAtom(atom, value), expected, `${value} in ${range}`);
  }
});
