import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';

test('IPv6 zone id is reported', () => {
  const cases: Array<[string, string, string]> = [
    ['fe80::1%eth0', 'ip fe80::1', '%eth0'],
    ['fe80::1%25eth0', 'ip fe80::1', '%25eth0'],
    ['FE80::1%3', 'ip FE80::1', '%3'],
    ['[fe80::1%eth0]:443', 'ip-port [fe80::1]:443', '%eth0'],
    ['[fe80::1%25en0]', 'ip fe80::1', '%25en0'],
  ];
  for (const [text, expected, zone] of cases) {
    const output = readText(`Beacon to ${text} seen.\n`, 'paste.txt', {});
    const values = output.records.map((record) => `${record.type} ${record.value}`);
    assert.deepEqual(values, [expected], text);
    assert.equal(output.itemsRead, 1, text);
    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.severity, issue.source?.line]),
      [['IPV6_ZONE_ID', 'warning', 1]],
      text,
    );
    const message = output.issues[0]?.message ?? '';
    assert.ok(message.includes(`"${text}"`), message);
    assert.ok(message.includes(`zone id "${zone}"`), message);
  }
});

test('IPv6 without zone has no warning', () => {
  const output = readText('Beacon to fe80::1 and [2001:db8::5]:443 at 50%.\n', 'paste.txt', {});
  assert.equal(output.records.length, 2);
  assert.deepEqual(output.issues, []);
});
