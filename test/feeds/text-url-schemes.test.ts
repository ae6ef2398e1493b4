import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

function read(text: string): FeedReaderOutput {
  return readText(text, 'paste.txt', {});
}

/** Returns `type value tags` for each record, in order. */
function found(text: string): string[] {
  return read(text).records.map((r) => `${r.type} ${r.value} ${(r.context.tags ?? []).join(',')}`);
}

function droppedTotal(output: FeedReaderOutput): number {
  return Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
}

test('refangs fxp to ftp', () => {
  const cases: Array<[string, string]> = [
    ['get fxp://lambda-c2[.]top/file', 'url ftp://lambda-c2.top/file '],
    ['get FXP://lambda-c2[.]top/file', 'url ftp://lambda-c2.top/file '],
    ['get fxps://lambda-c2[.]top/file', 'url ftps://lambda-c2.top/file '],
    ['get fxp[:]//lambda-c2[.]top/file', 'url ftp://lambda-c2.top/file '],
    ['get fxp[://]lambda-c2[.]top/file', 'url ftp://lambda-c2.top/file '],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(found(text), [expected], text);
  }
});

test('leaves FXP in prose alone', () => {
  const output = read('FXP: site-to-site copies. C2 at evil.com');
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['evil.com'],
  );
  assert.deepEqual(output.dropped, {});
});

test('hunts the host of other schemes', () => {
  const cases: Array<[string, string]> = [
    ['smb://mu-c2[.]top/share', 'domain mu-c2.top from-smb-url'],
    ['file://xi-c2[.]top/x', 'domain xi-c2.top from-file-url'],
    ['meow://x-c2[.]top/', 'domain x-c2.top from-meow-url'],
    ['SMB://Mu-C2[.]top/share', 'domain Mu-C2.top from-smb-url'],
    ['smb://mu-c2[.]top:4445/share', 'domain mu-c2.top from-smb-url,port:4445'],
    ['smb://45.9.1[.]2:445/s', 'ip-port 45.9.1.2:445 from-smb-url'],
    ['smb://45.9.1[.]2/s', 'ip 45.9.1.2 from-smb-url'],
    ['rdp://[2001:db8::1]/', 'ip 2001:db8::1 from-rdp-url'],
    ['jdbc:mysql://db.evil[.]com:3306/x', 'domain db.evil.com from-mysql-url,port:3306'],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(found(text), [expected], text);
  }
});

test('warns about a URL not hunted whole', () => {
  const output = read('line one\nshare at smb://mu-c2[.]top/share today');
  const warnings = output.issues.filter((issue) => issue.code === 'URL_SCHEME_NOT_HUNTED');
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.severity, 'warning');
  assert.deepEqual(warnings[0]?.source, { file: 'paste.txt', line: 2 });
  assert.match(
    warnings[0]?.message ?? '',
    /^URL "smb:\/\/mu-c2\.top\/share" has the scheme "smb", which the free-text reader does not hunt as a URL /,
  );
  assert.match(warnings[0]?.message ?? '', /its host "mu-c2\.top" is hunted as a domain instead/);
});

test('counts other-scheme URLs without a host', () => {
  const output = read('open file:///C:/Users/x.lnk or chrome-extension://abcdefgh/popup.html');
  assert.deepEqual(output.records, []);
  assert.deepEqual(output.dropped, { 'invalid-domain': 1, 'app-link': 1 });
  assert.equal(output.itemsRead, droppedTotal(output));
  const [issue] = output.issues.filter((i) => i.code === 'TEXT_CANDIDATES_DROPPED');
  assert.match(issue?.message ?? '', /"file:\/\/\/C:\/Users\/x\.lnk" \(line 1\)/);
});

test('other schemes follow the fanged-link rules', () => {
  const output = read('C2 evil[.]com, see smb://vendor.com/share');
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['evil.com'],
  );
  assert.deepEqual(output.dropped, { 'fanged-in-defanged-text': 1 });
});

test('rejects another scheme with a bad port', () => {
  const output = read('smb://mu-c2[.]top:99999/share');
  assert.deepEqual(output.records, []);
  assert.equal(output.rejected, 1);
  assert.equal(output.issues[0]?.code, 'INVALID_PORT');
});

test('keeps hunting web URLs whole', () => {
  assert.deepEqual(found('get hxxp://evil[.]com/?next=smb://inner.com/x and tcp://1.2.3[.]4:80'), [
    'url http://evil.com/?next=smb://inner.com/x ',
    'url tcp://1.2.3.4:80 ',
  ]);
  assert.deepEqual(found('a evil.com://x'), ['domain evil.com ']);
});

test('fxp alone does not defang text', () => {
  const output = read(
    'Sample pulled from fxp://drop-fxp-host.com/a.bin.\n' +
      'C2 domain live-c2-domain.com and https://live-url-c2.com/gate.php',
  );
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    [
      'url ftp://drop-fxp-host.com/a.bin',
      'domain live-c2-domain.com',
      'url https://live-url-c2.com/gate.php',
    ],
  );
  assert.deepEqual(output.dropped, {});
});

test('fxp with a dot marker defangs text', () => {
  const output = read('get fxp://lambda-c2[.]top/file and live-c2-domain.com');
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['ftp://lambda-c2.top/file'],
  );
  assert.deepEqual(output.dropped, { 'fanged-in-defanged-text': 1 });
});

test('drops links to apps', () => {
  for (const text of [
    'App link android-app://com.evilapp.app/https/x',
    'open chrome-extension://abcdefghijklmnop.com/popup.html',
  ]) {
    const output = read(text);
    assert.deepEqual(output.records, [], text);
    assert.deepEqual(output.dropped, { 'app-link': 1 }, text);
  }
  // A server scheme beside it is still read, and an intent link names a web server.
  assert.deepEqual(found('smb://mu-c2.top/share and android-app://com.x.app/'), [
    'domain mu-c2.top from-smb-url',
  ]);
  assert.deepEqual(found('intent://91.215.85[.]17/p.apk#Intent;scheme=https;end'), [
    'ip 91.215.85.17 from-intent-url',
  ]);
});

test('starred and underscored schemes are read', () => {
  const cases: Array<[string, string]> = [
    ['h**p://mu-c2[.]com/y', 'url http://mu-c2.com/y'],
    ['H**PS://mu-c2[.]com/y', 'url https://mu-c2.com/y'],
    ['h__p://mu-c2[.]com/y', 'url http://mu-c2.com/y'],
    ['h__ps[:]//mu-c2[.]com/y', 'url https://mu-c2.com/y'],
  ];
  for (const [text, expected] of cases) {
    const output = readText(`C2 ${text}\n`, 'paste.txt', {});
    assert.deepEqual(
      output.records.map((record) => `${record.type} ${record.value}`),
      [expected],
      text,
    );
    assert.deepEqual(output.issues, [], text);
  }
});

test('unknown scheme defang is quoted whole', () => {
  const output = readText('C2 h*tp://nu-c2[.]com/y\n', 'paste.txt', {});
  assert.deepEqual(
    output.records.map((record) => `${record.type} ${record.value}`),
    ['domain nu-c2.com'],
  );
  const issue = output.issues.find((found) => found.code === 'URL_SCHEME_NOT_HUNTED');
  assert.match(issue?.message ?? '', /^URL "h\*tp:\/\/nu-c2\.com\/y" has the scheme "h\*tp",/);
});

test('URL without scheme warns of its path', () => {
  const output = readText('C2 iota-c2[.]xyz/path/to/file.exe\n', 'paste.txt', {});
  assert.deepEqual(
    output.records.map((record) => `${record.type} ${record.value}`),
    ['domain iota-c2.xyz'],
  );
  assert.deepEqual(
    output.issues.map((issue) => [issue.code, issue.severity, issue.source?.line]),
    [['URL_WITHOUT_SCHEME', 'warning', 1]],
  );
  assert.match(
    output.issues[0]?.message ?? '',
    /^Read "iota-c2\.xyz\/path\/to\/file\.exe" as the domain "iota-c2\.xyz", because it has no scheme/,
  );
});

test('name with a bare slash has no warning', () => {
  const output = readText('C2 iota-c2[.]xyz/ and iota-c2[.]top\n', 'paste.txt', {});
  assert.equal(output.records.length, 2);
  assert.deepEqual(output.issues, []);
});

test('unknown scheme defang tags whole scheme', () => {
  const cases: Array<[string, string, string]> = [
    ['h*tp://nu-c2[.]com/y', 'domain nu-c2.com', 'from-h*tp-url'],
    ['H*TP://nu-c2[.]com/y', 'domain nu-c2.com', 'from-h*tp-url'],
    ['h_xp://45.9.1[.]7:8080/x', 'ip-port 45.9.1.7:8080', 'from-h_xp-url'],
    ['smb://nu-c2[.]com/share', 'domain nu-c2.com', 'from-smb-url'],
  ];
  for (const [text, expected, tag] of cases) {
    const output = readText(`C2 ${text}\n`, 'paste.txt', {});
    assert.deepEqual(
      output.records.map((record) => `${record.type} ${record.value}`),
      [expected],
      text,
    );
    assert.deepEqual(output.records[0]?.context.tags, [tag], text);
  }
});
