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
  // A dash before a lower address lists two addresses, because it cannot join a range.
  assert.deepEqual(found('pair 45.9.1.9-45.9.1.2 seen'), ['ip 45.9.1.9', 'ip 45.9.1.2']);
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
  assert.deepEqual(found('C2 45.9.1.3-45.9.1.2 pair'), ['ip 45.9.1.3', 'ip 45.9.1.2']);
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

test('a one-address block is that address', () => {
  const output = readText('C2 45.9.148.21/32 and 2a01:4f8::c/128 seen\n', 'paste.txt', {});
  assert.deepEqual(
    output.records.map((record) => `${record.type} ${record.value}`),
    ['ip 45.9.148.21', 'ip 2a01:4f8::c'],
  );
  assert.deepEqual(output.dropped, {});
});

test('prose ports after an address give ip:port', () => {
  const cases: Array<[string, string]> = [
    ['C2 45.9.1.2 port 8080', 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 on port 8080.', 'ip-port 45.9.1.2:8080'],
    ['C2 45[.]9[.]1[.]2 over TCP port 443', 'ip-port 45.9.1.2:443'],
    ['C2 45.9.1.2 (port 8080)', 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 (TCP port 8080)', 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 port: 8080', 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 on port tcp/8080', 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 tcp/8080', 'ip-port 45.9.1.2:8080'],
    ['DNS 45.9.1.2 via UDP/53', 'ip-port 45.9.1.2:53'],
    ['DNS 45.9.1.2 UDP/53', 'ip-port 45.9.1.2:53'],
    ['C2 45.9.1.2 port 8080/tcp', 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 port 443, then it moved', 'ip-port 45.9.1.2:443'],
    [`C2 45.9.1.2${' '.repeat(40)}port 8080`, 'ip-port 45.9.1.2:8080'],
    ['C2 45.9.1.2 port 443 - the second stage', 'ip-port 45.9.1.2:443'],
  ];
  for (const [text, expected] of cases) assert.deepEqual(found(text), [expected], text);
});

test('port before next address is read', () => {
  for (const joint of [', ', ' and ']) {
    assert.deepEqual(found(`C2 45.9.1.2 port 4444${joint}45.9.1.3 port 8080`), [
      'ip-port 45.9.1.2:4444',
      'ip-port 45.9.1.3:8080',
    ]);
  }
});

test('distant, ranged or listed ports ignored', () => {
  const cases = [
    'C2 45.9.1.2, then port 8080',
    'C2 45.9.1.2 and port 8080',
    'C2 45.9.1.2 port 70000',
    'C2 45.9.1.2 port 8080.5',
    'C2 45.9.1.2 port 8080x',
    'C2 45.9.1.2 port 8080-8090',
    'C2 45.9.1.2 port 80/443',
    'C2 45.9.1.2 port 443, 8443',
    'C2 45.9.1.2 port 0',
    `C2 45.9.1.2${' '.repeat(40)}port 123456`,
    'C2 45.9.1.2 port 8080\u20138090',
    'C2 45.9.1.2 port 8080 - 8090',
    'C2 45.9.1.2 port 8080 to 8090',
    'C2 45.9.1.2 port 443 and 8443',
    'C2 45.9.1.2 port 4444 , 4445',
  ];
  for (const text of cases) assert.deepEqual(found(text), ['ip 45.9.1.2'], text);
});
