import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { parseIPv6Number } from '../../../src/pipeline/allowlist/ip-number.js';

/** Returns the value ipaddr.js gives the text, or undefined when it rejects it. */
function ipaddrValue(text: string): bigint | undefined {
  let parts: number[];
  try {
    parts = ipaddr.IPv6.parse(text).parts;
  } catch {
    return undefined;
  }
  return parts.reduce((value, part) => (value << 16n) | BigInt(part), 0n);
}

test('IPv6 parse agrees with ipaddr.js on addresses', () => {
  fc.assert(
    fc.property(fc.ipV6(), (text) => {
      assert.equal(parseIPv6Number(text), ipaddrValue(text), text);
      assert.equal(parseIPv6Number(text.toUpperCase()), ipaddrValue(text), text);
    }),
    { numRuns: 2000 },
  );
});

test('IPv6 parse agrees with ipaddr.js on near misses', () => {
  const unit = fc.constantFrom('0', '1', 'a', 'F', 'ffff', '00000', ':', ':', '::', '.', '1.2.3.4');
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 14 }), (units) => {
      const text = units.join('');
      assert.equal(parseIPv6Number(text), ipaddrValue(text), text);
    }),
    { numRuns: 5000 },
  );
});

test('IPv6 parse of the forms lists use', () => {
  const cases: Array<[string, bigint | undefined]> = [
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['2001:DB8::', 0x20010db8n << 96n],
    ['1:2:3:4:5:6:7::', 0x0001000200030004000500060007_0000n],
    ['::ffff:1.2.3.4', 0xffff_0102_0304n],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['fe80::1%eth0', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseIPv6Number(text), expected, text);
});
