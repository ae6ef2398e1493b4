import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { RangeIndex } from '../../../src/pipeline/allowlist/range-index.js';
import {
  parseIPv4Number,
  parseIpRange,
  parseIPv6Number,
} from '../../../src/pipeline/allowlist/ip-number.js';
import { repoFile } from '../../helpers/shared.js';

function listEntries(name: string): string[] {
  const path = repoFile(`data/warninglists/${name}/list.json`);
  return (JSON.parse(readFileSync(path, 'utf8')) as { list: string[] }).list;
}

type ParsedEntry = { entry: string; network: ipaddr.IPv4 | ipaddr.IPv6; bits: number };

function parseEntries(entries: readonly string[]): ParsedEntry[] {
  return entries.map((entry) => {
    if (entry.includes('/')) {
      const [network, bits] = ipaddr.parseCIDR(entry);
      return { entry, network, bits };
    }
    const network = ipaddr.parse(entry);
    return { entry, network, bits: network.kind() === 'ipv4' ? 32 : 128 };
  });
}

/** Returns the entries that contain the address, checked one by one with ipaddr.js. */
function bruteForceMatches(entries: readonly ParsedEntry[], address: string): string[] {
  const parsed = ipaddr.parse(address);
  return entries
    .filter(({ network, bits }) => network.kind() === parsed.kind() && parsed.match(network, bits))
    .map(({ entry }) => entry);
}

const ipv4Text = fc.ipV4();
const ipv6Text = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((parts) => parts.map((part) => part.toString(16)).join(':'));

test('parseIPv4Number reads dotted decimal', () => {
  assert.equal(parseIPv4Number('0.0.0.0'), 0);
  assert.equal(parseIPv4Number('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(parseIPv4Number('10.10.30.110'), 0x0a0a1e6e);
});

test('parseIPv4Number rejects loose forms', () => {
  for (const text of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1..2.3', '1.2.3.4 ', '']) {
    assert.equal(parseIPv4Number(text), undefined, text);
  }
});

test('parseIPv6Number folds case', () => {
  assert.equal(parseIPv6Number('2001:DB8::'), parseIPv6Number('2001:db8::'));
  assert.equal(parseIPv6Number('::1'), 1n);
  assert.equal(parseIPv6Number('fe80::1%eth0'), undefined);
});

test('parseIpRange ignores host bits', () => {
  assert.deepEqual(parseIpRange('10.1.2.3/8'), {
    family: 'ipv4',
    first: 0x0a000000,
    last: 0x0affffff,
  });
  assert.equal(parseIpRange('10.0.0.0/33'), undefined);
  assert.equal(parseIpRange('10.0.0.0/'), undefined);
  assert.equal(parseIpRange('2001:db8::/129'), undefined);
});

test('range index finds uppercase IPv6 entries', () => {
  const index = new RangeIndex(['2001:DB8::/32', 'FE80::/10']);
  assert.equal(index.lookupText('2001:db8::1'), '2001:DB8::/32');
  assert.equal(index.lookupText('fe80::abcd'), 'FE80::/10');
  assert.equal(index.lookupText('2001:db9::1'), undefined);
});

test('range index returns the narrowest block', () => {
  const index = new RangeIndex(['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '10.2.0.0/16']);
  assert.equal(index.lookupText('10.1.2.3'), '10.1.2.3');
  assert.equal(index.lookupText('10.1.9.9'), '10.1.0.0/16');
  assert.equal(index.lookupText('10.200.0.1'), '10.0.0.0/8');
  assert.equal(index.lookupText('11.0.0.0'), undefined);
});

test('range index walks past siblings to the parent', () => {
  const siblings = Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`);
  const index = new RangeIndex(['10.0.0.0/8', ...siblings]);
  assert.equal(index.lookupText('10.200.0.1'), '10.0.0.0/8');
  assert.equal(index.lookupText('10.49.1.1'), '10.49.0.0/16');
});

test('range index keeps duplicate entries', () => {
  const index = new RangeIndex(['8.8.8.8', '8.8.8.8', '8.8.8.0/24']);
  assert.equal(index.lookupText('8.8.8.8'), '8.8.8.8');
  assert.equal(index.lookupText('8.8.8.9'), '8.8.8.0/24');
  assert.equal(index.size, 3);
});

test('range index maps IPv4-mapped and NAT64 addresses', () => {
  const index = new RangeIndex(['8.8.8.8']);
  assert.equal(index.lookupText('::ffff:808:808'), '8.8.8.8');
  assert.equal(index.lookupText('64:ff9b::808:808'), '8.8.8.8');
  assert.equal(index.lookupText('64:ff9c::808:808'), undefined);
});

test('range index reports invalid entries', () => {
  const index = new RangeIndex(['1.2.3.4', 'not-an-ip', '1.2.3.0/40']);
  assert.deepEqual(index.invalidEntries, ['not-an-ip', '1.2.3.0/40']);
  assert.equal(index.size, 1);
});

test('range index agrees with ipaddr.js on amazon-aws', () => {
  const entries = listEntries('amazon-aws');
  const index = new RangeIndex(entries);
  const parsedEntries = parseEntries(entries);
  const inside = fc
    .constantFrom(...entries.filter((entry) => !entry.includes(':')))
    .chain((cidr) => {
      const [network, bits] = ipaddr.parseCIDR(cidr);
      const base = parseIPv4Number(network.toString())!;
      return fc
        .integer({ min: 0, max: 2 ** (32 - bits) - 1 })
        .map((offset) => ipaddr.fromByteArray(toBytes(base + offset)).toString());
    });
  fc.assert(
    fc.property(fc.oneof(ipv4Text, inside, ipv6Text), (address) => {
      const expected = bruteForceMatches(parsedEntries, address);
      const found = index.lookupText(address);
      if (expected.length === 0) assert.equal(found, undefined, address);
      else assert.ok(found !== undefined && expected.includes(found), `${address}: ${found}`);
    }),
    { numRuns: 300 },
  );
});

test('range index agrees with ipaddr.js on bare addresses', () => {
  const entries = listEntries('sinkholes');
  const index = new RangeIndex(entries);
  const parsedEntries = parseEntries(entries);
  const listed = fc.constantFrom(...entries.filter((entry) => !entry.includes('/')));
  fc.assert(
    fc.property(fc.oneof(listed, ipv4Text), (address) => {
      const expected = bruteForceMatches(parsedEntries, address);
      assert.equal(index.lookupText(address) !== undefined, expected.length > 0, address);
    }),
    { numRuns: 300 },
  );
});

function toBytes(value: number): number[] {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
}
