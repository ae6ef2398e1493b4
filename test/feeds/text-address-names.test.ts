import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';

function found(text: string): string[] {
  return readText(text, 'paste.txt', {}).records.map((record) => `${record.type} ${record.value}`);
}

test('host names that start with an address stay names', () => {
  assert.deepEqual(found('C2 at 31.213.176.34.bc.googleusercontent.com today'), [
    'domain 31.213.176.34.bc.googleusercontent.com',
  ]);
  assert.deepEqual(found('PTR 8.7.6.5.in-addr.arpa answered'), ['domain 8.7.6.5.in-addr.arpa']);
  assert.deepEqual(found('C2 at 31[.]213[.]176[.]34[.]bc[.]googleusercontent[.]com'), [
    'domain 31.213.176.34.bc.googleusercontent.com',
  ]);
});

test('addresses before punctuation stay addresses', () => {
  assert.deepEqual(found('The C2 was 45.9.1.2. It moved.'), ['ip 45.9.1.2']);
  assert.deepEqual(found('range 45.9.1.2-45.9.1.9 seen'), ['ip 45.9.1.2', 'ip 45.9.1.9']);
  assert.deepEqual(found('C2 (45.9.1.3:8080), then 45.9.1.4, done'), [
    'ip-port 45.9.1.3:8080',
    'ip 45.9.1.4',
  ]);
});

test('an address that runs into a sentence stays an address', () => {
  assert.deepEqual(found('C2 45.9.158.1.Next it moved'), ['ip 45.9.158.1']);
  assert.deepEqual(found('C2 45.9.1.2.The end'), ['ip 45.9.1.2']);
});

test('a name that starts with an address and a dash is a name', () => {
  assert.deepEqual(found('host 158.85.36.9-static.reverse.softlayer.com seen'), [
    'domain 158.85.36.9-static.reverse.softlayer.com',
  ]);
  assert.deepEqual(found('C2 45.9.1.2-45.9.1.3 range'), ['ip 45.9.1.2', 'ip 45.9.1.3']);
});

test('an address block is left out with a note', () => {
  const output = readText('block 45.9.148.0/24 and 45.9.1.7/url\n', 'paste.txt', {});
  assert.deepEqual(
    output.records.map((record) => `${record.type} ${record.value}`),
    ['ip 45.9.1.7'],
  );
  assert.deepEqual(output.dropped, { 'cidr-range': 1 });
  assert.deepEqual(
    output.issues.map((issue) => [issue.code, issue.severity]),
    [
      ['CIDR_RANGE', 'info'],
      ['TEXT_CANDIDATES_DROPPED', 'info'],
    ],
  );
  assert.match(output.issues[0]?.message ?? '', /"45\.9\.148\.0\/24"/);
  assert.match(output.issues[1]?.message ?? '', /^Left out 1 candidate as cidr-range, /);
});
