import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { parseIPv6Number } from '../../../src/pipeline/allowlist/ip-number.js';

/**
 * Returns the value ipaddr.js gives the text, or undefined when it rejects it. A dotted IPv4 tail
 * is first written as two hexadecimal groups, because ipaddr.js 2.5 reads `::1.2.3.4` as
 * `::ffff:1.2.3.4` where RFC 4291 makes it `::102:304`, and it accepts octets such as `01`.
 */
function ipaddrValue(text: string): bigint | undefined {
  let hex = text;
  const tailStart = text.lastIndexOf(':') + 1;
  const tail = text.slice(tailStart);
  if (tailStart > 0 && tail.includes('.')) {
    if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
    const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
    hex = `${text.slice(0, tailStart)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
  }
  let parts: number[];
  try {
    parts = ipaddr.IPv6.parse(hex).parts;
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
    ['::1.2.3.4', 0x0102_0304n],
    ['::ffff:01.2.3.4', undefined],
    ['::ffff:0x1.2.3.4', undefined],
    ['::ffff:1.2.3', undefined],
    ['1:2:3:4:5:6:7:8::', undefined],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['fe80::1%eth0', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseIPv6Number(text), expected, text);
});
