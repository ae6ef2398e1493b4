import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeText } from '../../src/validate/decode-text.js';

const QUERY = 'CommonSecurityLog\r\n| where DestinationHostName =~ "müller.example"\r\n';

function utf16be(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf16le');
  return bytes.swap16();
}

test('decodeText reads each byte order mark', () => {
  const cases: Array<[string, Buffer]> = [
    ['UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(QUERY)])],
    ['UTF-16 LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(QUERY, 'utf16le')])],
    ['UTF-16 BE', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(QUERY)])],
    ['UTF-8', Buffer.from(QUERY)],
  ];
  for (const [name, bytes] of cases) {
    assert.deepEqual(decodeText(bytes), { text: QUERY }, name);
  }
});

test('decodeText rejects NUL bytes', () => {
  const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]);
  const result = decodeText(elf);
  assert.ok('binary' in result);
  assert.match(result.binary, /NUL bytes/);
  assert.ok('binary' in decodeText(Buffer.from(QUERY, 'utf16le')), 'UTF-16 without a BOM');
});
