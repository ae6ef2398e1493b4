import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

function values(output: FeedReaderOutput): string[] {
  return output.records.map((record) => `${record.type} ${record.value}`);
}

function codes(output: FeedReaderOutput): string[] {
  return output.issues.map((issue) => issue.code);
}

function dropCount(output: FeedReaderOutput): number {
  return Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
}

/** Reads each text and checks that it gives the expected values, with no drop and no issue. */
function assertListedAddresses(cases: ReadonlyArray<[text: string, expected: string[]]>): void {
  for (const [text, expected] of cases) {
    const output = readText(`${text}\n`, 'paste.txt', {});
    assert.deepEqual(values(output), expected, text);
    assert.equal(dropCount(output), 0, text);
    assert.deepEqual(codes(output), [], text);
  }
}

test('address range is left out', () => {
  const cases: Array<[string, string]> = [
    ['45.61.138[.]10-45.61.138[.]20', '45.61.138.10-45.61.138.20'],
    ['45.61.139[.]10 - 45.61.139[.]12', '45.61.139.10 - 45.61.139.12'],
    ['45.61.139.10 \u2013 45.61.139.12', '45.61.139.10 \u2013 45.61.139.12'],
    ['45.61.140.10 to 45.61.141.12', '45.61.140.10 to 45.61.141.12'],
    ['45.61.142[.]10-20', '45.61.142.10-20'],
  ];
  for (const [text, range] of cases) {
    const output = readText(`Infra:\n- ${text} (hosting)\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [], text);
    assert.deepEqual(output.dropped, { 'address-range': 1 }, text);
    assert.equal(output.itemsRead, 1, text);
    assert.deepEqual(codes(output), ['ADDRESS_RANGE', 'TEXT_CANDIDATES_DROPPED'], text);
    const issue = output.issues[0];
    assert.equal(issue?.severity, 'warning', text);
    assert.equal(issue?.source?.line, 2, text);
    assert.ok(issue?.message.startsWith(`Left out the address range "${range}"`), issue?.message);
  }
});

test('two listed addresses stay addresses', () => {
  const cases: Array<[string, string[]]> = [
    // The second address is lower than the first, so the dash cannot join a range.
    ['45.61.138.20 - 45.61.138.10', ['ip 45.61.138.20', 'ip 45.61.138.10']],
    // "from A to B" names the two ends of a connection.
    ['traffic from 10.0.0.5 to 45.125.66.32 seen', ['ip 10.0.0.5', 'ip 45.125.66.32']],
    ['45.61.138.10, 45.61.138.20', ['ip 45.61.138.10', 'ip 45.61.138.20']],
    ['45.61.138.10 and 45.61.138.20', ['ip 45.61.138.10', 'ip 45.61.138.20']],
    ['45.61.138.10:80-45.61.138.20', ['ip-port 45.61.138.10:80', 'ip 45.61.138.20']],
    // With spaces, a number after a dash may be a count.
    ['45.61.138.10 - 25 hosts', ['ip 45.61.138.10']],
  ];
  assertListedAddresses(cases);
});

test('range within one /16 is left out', () => {
  const cases = [
    '45.61.0.1 - 45.61.255.254',
    '45.61.0.1 \u2013 45.61.9.9',
    '45.61.138[.]10-45.61.200[.]20',
    '45.61.0.1 to 45.61.255.254',
  ];
  for (const text of cases) {
    const output = readText(`${text}\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [], text);
    assert.deepEqual(output.dropped, { 'address-range': 1 }, text);
    assert.deepEqual(codes(output), ['ADDRESS_RANGE', 'TEXT_CANDIDATES_DROPPED'], text);
  }
});

test('ends in two /16 networks are two addresses', () => {
  const cases: Array<[string, string[]]> = [
    ['91.1.1.1 \u2013 185.2.2.2', ['ip 91.1.1.1', 'ip 185.2.2.2']],
    ['91.1.1[.]1-185.2.2[.]2', ['ip 91.1.1.1', 'ip 185.2.2.2']],
    ['45.61.255.1 - 45.62.0.9', ['ip 45.61.255.1', 'ip 45.62.0.9']],
    ['91.1.1.1 to 185.2.2.2', ['ip 91.1.1.1', 'ip 185.2.2.2']],
    ['91.1.1.1 \u2014 185.2.2.2:443', ['ip 91.1.1.1', 'ip-port 185.2.2.2:443']],
  ];
  for (const [text, expected] of cases) {
    const output = readText(`C2:\n${text}\n`, 'paste.txt', {});
    assert.deepEqual(values(output), expected, text);
    assert.equal(dropCount(output), 0, text);
    assert.equal(output.itemsRead, expected.length, text);
    assert.deepEqual(codes(output), ['ADDRESS_PAIR_NOT_RANGE'], text);
    const issue = output.issues[0];
    assert.equal(issue?.severity, 'warning', text);
    assert.equal(issue?.source?.line, 2, text);
    const [first = '', second = ''] = expected.map((value) => value.split(' ')[1]);
    const address = second.replace(/:\d+$/, '');
    assert.ok(
      issue?.message.includes(`"${text.replace(/\[\.\]/g, '.').replace(/:443$/, '')}"`),
      issue?.message,
    );
    assert.ok(issue?.message.includes(`${first} and ${address}`), issue?.message);
  }
});

test('IPv6 range is left out', () => {
  const cases: Array<[string, string, string]> = [
    ['2001:db8::1-2001:db8::ff', '2001:db8::1-2001:db8::ff', '255'],
    ['2001:db8::1 to 2001:db8::9', '2001:db8::1 to 2001:db8::9', '9'],
    ['2001:db8::1 \u2013 2001:db8::9', '2001:db8::1 \u2013 2001:db8::9', '9'],
    ['2a0e:1c80:1::10[:]1-2a0e:1c80:1::10[:]ff', '2a0e:1c80:1::10:1-2a0e:1c80:1::10:ff', '255'],
    ['2001:db8::10-1f', '2001:db8::10-1f', '16'],
  ];
  for (const [text, range, size] of cases) {
    const output = readText(`Infra:\n- ${text} (hosting)\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [], text);
    assert.deepEqual(output.dropped, { 'address-range': 1 }, text);
    assert.equal(output.itemsRead, 1, text);
    assert.deepEqual(codes(output), ['ADDRESS_RANGE', 'TEXT_CANDIDATES_DROPPED'], text);
    const issue = output.issues[0];
    assert.equal(issue?.source?.line, 2, text);
    const start = `Left out the address range "${range}" (${size} addresses)`;
    assert.ok(issue?.message.startsWith(start), issue?.message);
  }
});

test('IPv6 ends in two /64 networks are two addresses', () => {
  const text = '2001:db8:1::1 - 2001:db8:2::1';
  const output = readText(`${text}\n`, 'paste.txt', {});
  assert.deepEqual(values(output), ['ip 2001:db8:1::1', 'ip 2001:db8:2::1']);
  assert.equal(dropCount(output), 0);
  assert.equal(output.itemsRead, 2);
  assert.deepEqual(codes(output), ['ADDRESS_PAIR_NOT_RANGE']);
  const message = output.issues[0]?.message ?? '';
  assert.ok(message.startsWith(`Read "${text}" as two addresses`), message);
  assert.ok(message.includes('2001:db8:1::1 and 2001:db8:2::1'), message);
  assert.ok(message.includes('/64'), message);
});

test('two listed IPv6 addresses stay addresses', () => {
  const cases: Array<[string, string[]]> = [
    ['2001:db8::ff - 2001:db8::1', ['ip 2001:db8::ff', 'ip 2001:db8::1']],
    ['traffic from 2001:db8::5 to 2001:db8::9 seen', ['ip 2001:db8::5', 'ip 2001:db8::9']],
    ['2001:db8::1, 2001:db8::9', ['ip 2001:db8::1', 'ip 2001:db8::9']],
    ['2001:db8::1 - 25 hosts', ['ip 2001:db8::1']],
  ];
  assertListedAddresses(cases);
});
