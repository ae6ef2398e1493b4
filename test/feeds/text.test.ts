import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../../src/errors.js';
import { readText } from '../../src/feeds/text.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

/** Returns `type value` for each record, in order. */
function found(text: string, options: Parameters<typeof readText>[2] = {}): string[] {
  return readText(text, 'paste.txt', options).records.map((r) => `${r.type} ${r.value}`);
}

function droppedTotal(output: FeedReaderOutput): number {
  return Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
}

test('readText refangs each defang variant', () => {
  const cases: Array<[string, string]> = [
    ['C2 at evil[.]com today', 'domain evil.com'],
    ['C2 at evil(.)com today', 'domain evil.com'],
    ['C2 at evil{.}com today', 'domain evil.com'],
    ['C2 at evil[dot]com today', 'domain evil.com'],
    ['C2 at evil(dot)com today', 'domain evil.com'],
    ['C2 at evil [dot] com today', 'domain evil.com'],
    ['get hxxp://evil.com/a', 'url http://evil.com/a'],
    ['get hXXp://evil.com/a', 'url http://evil.com/a'],
    ['get hxxps://evil.com/a', 'url https://evil.com/a'],
    ['get hXXps://evil.com/a', 'url https://evil.com/a'],
    ['get hxxps[:]//evil[.]com/a', 'url https://evil.com/a'],
    ['get hxxps[://]evil[.]com/a', 'url https://evil.com/a'],
    ['get hxxp:[//]evil[.]com/a', 'url http://evil.com/a'],
    ['get hxxp://evil[.]com[/]a', 'url http://evil.com/a'],
    ['C2 1.2.3[.]4[:]8080', 'ip-port 1.2.3.4:8080'],
    ['ns 2605:6400:20:9d:2d8c:6f33:f4db[:]ab02', 'ip 2605:6400:20:9d:2d8c:6f33:f4db:ab02'],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual(found(text), [expected], text);
  }
});

test('readText repairs an extra dot with a warning', () => {
  const output = readText('|Linux Trojan Proxy | / | 195.226.218.[.]234:80', 'iocs.adoc', {});
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['195.226.218.234:80'],
  );
  const warning = output.issues.find((i) => i.code === 'MALFORMED_DEFANG');
  assert.equal(warning?.severity, 'warning');
  assert.deepEqual(warning?.source, { file: 'iocs.adoc', line: 1 });
  assert.match(warning?.message ?? '', /"\.\[\.\]" .*was read as one dot\./);
});

test('readText keeps dot inside real labels', () => {
  assert.deepEqual(found('hosts dotnet.com and polkadot.network'), [
    'domain dotnet.com',
    'domain polkadot.network',
  ]);
  assert.deepEqual(found('evil dot com'), []);
});

test('readText gives one indicator per mention', () => {
  assert.deepEqual(found('hxxp://1.2.3[.]4/x and hxxps://evil[.]com:8443/y'), [
    'url http://1.2.3.4/x',
    'url https://evil.com:8443/y',
  ]);
  assert.deepEqual(found('C2 [2001:db8::1]:443'), ['ip-port [2001:db8::1]:443']);
});

test('readText reads host:port as a tagged domain', () => {
  const output = readText('freightmgmt.duckdns.org:691', 'remcos.txt', {});
  assert.equal(output.records.length, 1);
  assert.equal(output.records[0]?.type, 'domain');
  assert.equal(output.records[0]?.value, 'freightmgmt.duckdns.org');
  assert.deepEqual(output.records[0]?.context.tags, ['port:691']);
});

test('readText reads an address followed by port N', () => {
  const output = readText('- 146.19.233[.]44 port 80 - evil[.]com', 'a.txt', {});
  assert.equal(output.records[0]?.type, 'ip-port');
  assert.equal(output.records[0]?.value, '146.19.233.44:80');
  assert.deepEqual(output.records[0]?.context.tags, []);
  assert.deepEqual(found('1.2.3[.]4 port 99999'), ['ip 1.2.3.4']);
});

test('readText gives no ip:port for a URL', () => {
  const text = [
    'C2 hxxps://194.5.98[.]207:691/gate and hxxps://[2001:db8::5]:8443/x',
    'no port: hxxp://1.2.3[.]4/x, empty port: hxxp://1.2.3[.]5:/x, domain: hxxp://evil[.]com:8080/y',
  ].join('\n');
  const output = readText(text, 'c2.txt', {});
  assert.deepEqual(
    output.records.map((r) => [r.type, r.value, r.context.tags, r.source.line]),
    [
      ['url', 'https://194.5.98.207:691/gate', [], 1],
      ['url', 'https://[2001:db8::5]:8443/x', [], 1],
      ['url', 'http://1.2.3.4/x', [], 2],
      ['url', 'http://1.2.3.5:/x', [], 2],
      ['url', 'http://evil.com:8080/y', [], 2],
    ],
  );
  assert.equal(output.itemsRead, 5);
  assert.equal(output.itemsRead, output.records.length + output.rejected + droppedTotal(output));
});

test('readText drops an address covered by a URL port', () => {
  const output = readText(
    'hxxp://5.6.7[.]8:8080/a\nblocked 5.6.7[.]8 and 5.6.7[.]8:8080',
    'r.txt',
    {},
  );
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    ['url http://5.6.7.8:8080/a', 'ip-port 5.6.7.8:8080'],
  );
  assert.equal(output.dropped['covered-by-ip-port'], 1);
  assert.equal(output.itemsRead, 3);

  // The URL alone covers the bare address, because it names a port.
  assert.deepEqual(found('hxxp://5.6.7[.]8:8080/a and 5.6.7[.]8'), ['url http://5.6.7.8:8080/a']);
  assert.deepEqual(found('hxxp://5.6.7[.]8/a and 5.6.7[.]8'), [
    'url http://5.6.7.8/a',
    'ip 5.6.7.8',
  ]);
});

test('readText merges a bare address into its ip:port', () => {
  const text = ['C2: 45[.]92[.]1[.]175:5220', 'let ips = dynamic(["45.92.1.175"]);'].join('\n');
  const output = readText(text, 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['45.92.1.175:5220'],
  );
  assert.equal(output.dropped['covered-by-ip-port'], 1);
  assert.deepEqual(found(text, { keepBareAddresses: true }), [
    'ip-port 45.92.1.175:5220',
    'ip 45.92.1.175',
  ]);
});

test('readText takes hex runs whole', () => {
  const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
  const sha1 = '84A055D8E4BDF1F140C4DCA3D2D7738027E07115';
  const sha256 = '0bd04e6b054a45d642adb9338862f8253e94b83365a81f95e6a4fc740bac9c0c';
  assert.deepEqual(found(`${md5} ${sha1} ${sha256} (firefox.zip)`), [
    `md5 ${md5}`,
    `sha1 ${sha1}`,
    `sha256 ${sha256}`,
  ]);
  const output = readText(`sha512 ${sha256}${sha256} and ${sha1}0`, 'h.txt', {});
  assert.deepEqual(output.records, []);
  assert.equal(output.dropped['unsupported-hex-length'], 2);
});

test('readText skips hex glued to letters', () => {
  assert.deepEqual(found('xd41d8cd98f00b204e9800998ecf8427e'), []);
  assert.deepEqual(found('d41d8cd98f00b204e9800998ecf8427e.exe'), [
    'md5 d41d8cd98f00b204e9800998ecf8427e',
  ]);
  assert.deepEqual(found('12345678901234567890123456789012'), []);
});

test('readText rejects times and MACs as IPv6', () => {
  const text = [
    '2025-01-22 21:37:59 UTC',
    'mac 00:1a:2b:3c:4d:5e',
    'sha1 fingerprint 5e:ee:cf:1a:2b:3c:4d:5e:6f:70:81:92:a3:b4:c5:d6:e7:f8:09:1a',
    'FILE NAMES AND DESCRIPTIONS::',
  ].join('\n');
  assert.deepEqual(found(text), []);
  assert.deepEqual(found('fe80::1 and 2001:db8:0:0:0:0:0:1'), [
    'ip fe80::1',
    'ip 2001:db8:0:0:0:0:0:1',
  ]);
});

test('readText rejects file names as domains', () => {
  const output = readText('run setup.exe, rule.12.21.doc and C:\\Temp\\a.com.dll', 'f.txt', {});
  assert.deepEqual(output.records, []);
  assert.equal(output.dropped['unknown-tld'], 2);
});

test('readText needs defang or URL for ambiguous TLDs', () => {
  assert.deepEqual(found('open invoice.zip then setup.sh and process.name'), []);
  assert.deepEqual(found('open invoice[.]zip'), ['domain invoice.zip']);
  assert.deepEqual(found('open http://invoice.zip/a'), ['url http://invoice.zip/a']);
  assert.deepEqual(found('ssh to setup.sh:22'), ['domain setup.sh']);
  const output = readText('open invoice.zip', 'f.txt', {});
  assert.equal(output.dropped['ambiguous-tld'], 1);
});

test('readText strips trailing punctuation and markup', () => {
  const text = [
    'See "hxxp://evil[.]com/a.php".',
    'Also (hxxp://evil[.]com/b), and <hxxp://evil[.]com/c>;',
    "| `evil[.]net` | 'evil[.]org' |",
    'link:hxxps://evil[.]com/d[the payload]',
    '* **evil[.]info**',
  ].join('\n');
  assert.deepEqual(found(text), [
    'url http://evil.com/a.php',
    'url http://evil.com/b',
    'url http://evil.com/c',
    'domain evil.net',
    'domain evil.org',
    'url https://evil.com/d',
    'domain evil.info',
  ]);
});

test('readText hunts the host of a cut URL', () => {
  const output = readText('http://dreamwatchevent.com/wpadmins/Protected Client.js', 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    ['domain dreamwatchevent.com'],
  );
  assert.deepEqual(output.records[0]?.context.tags, ['from-cut-url']);
  assert.equal(output.itemsRead, 1);
  const warning = output.issues.find((i) => i.code === 'URL_CUT_AT_SPACE');
  assert.equal(warning?.severity, 'warning');
  assert.match(warning?.message ?? '', /"Client\.js"/);
  assert.match(warning?.message ?? '', /is not hunted as a URL/);
  assert.match(warning?.message ?? '', /host "dreamwatchevent\.com" is hunted as a domain/);
  assert.equal(readText('see http://evil.com/a for details', 'r.txt', {}).issues.length, 0);
});

test('readText hunts the address of a cut URL', () => {
  const cases: Array<[string, string, string[]]> = [
    ['hxxp://45.9.1.2/files/My Invoice.pdf', 'ip 45.9.1.2', ['from-cut-url']],
    ['hxxp://45.9.1.2:8080/files/My Invoice.pdf', 'ip-port 45.9.1.2:8080', ['from-cut-url']],
    ['hxxp://[2001:db8::5]/files/My Invoice.pdf', 'ip 2001:db8::5', ['from-cut-url']],
    ['hxxp://evil[.]com:8443/a/My Invoice.pdf', 'domain evil.com', ['from-cut-url', 'port:8443']],
  ];
  for (const [text, expected, tags] of cases) {
    const output = readText(text, 'r.txt', {});
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(output.records[0]?.context.tags, tags, text);
    assert.equal(output.itemsRead, 1, text);
    const codes = output.issues.map((i) => i.code);
    assert.deepEqual(codes, ['URL_CUT_AT_SPACE'], text);
  }
});

test('readText hunts host of quote-cut URL', () => {
  const output = readText('URL: https://evil-d5[.]top/a?b=1&c="2"', 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    ['domain evil-d5.top'],
  );
  assert.deepEqual(output.records[0]?.context.tags, ['from-cut-url']);
  assert.equal(output.itemsRead, 1);
  assert.deepEqual(
    output.issues.map((i) => i.code),
    ['URL_CUT_AT_QUOTE'],
  );
  const message = output.issues[0]?.message ?? '';
  assert.match(message, /"https:\/\/evil-d5\.top\/a\?b=1&c="/);
  assert.match(message, /is not hunted as a URL/);
  assert.match(message, /host "evil-d5\.top" is hunted as a domain/);
});

test('readText hunts host of shortened URL', () => {
  const cases: Array<[string, string, string[]]> = [
    ['hxxp://evil-p12[.]top/verylongpath\u2026', 'domain evil-p12.top', ['from-cut-url']],
    ['hxxp://evil-p12[.]top/very\u2026/path.php', 'domain evil-p12.top', ['from-cut-url']],
    ['hxxp://evil[.]top/a?id=\u2026.', 'domain evil.top', ['from-cut-url']],
    ['hxxp://45.9.1.2:8080/gate\u2026', 'ip-port 45.9.1.2:8080', ['from-cut-url']],
  ];
  for (const [text, expected, tags] of cases) {
    const output = readText(text, 'r.txt', {});
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(output.records[0]?.context.tags, tags, text);
    assert.equal(output.itemsRead, 1, text);
    assert.deepEqual(
      output.issues.map((i) => i.code),
      ['URL_SHORTENED'],
      text,
    );
  }
});

test('readText keeps URL ended by quote', () => {
  const cases: Array<[string, string]> = [
    ['Quoted: "hxxp://evil[.]top/e"', 'url http://evil.top/e'],
    ["Single: 'hxxp://evil[.]top/k'", 'url http://evil.top/k'],
    ['{"u":"hxxp://evil[.]top/a?b=1","n":2}', 'url http://evil.top/a?b=1'],
    ['<a href="hxxp://evil[.]top/d">link</a>', 'url http://evil.top/d'],
    ["hxxp://evil[.]top/gate's reply", 'url http://evil.top/gate'],
    ["hxxp://evil[.]top's panel", 'url http://evil.top'],
    ['hxxp://evil[.]top/j...', 'url http://evil.top/j'],
  ];
  for (const [text, expected] of cases) {
    const output = readText(text, 'r.txt', {});
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(output.issues, [], text);
  }
});

test('readText strips typographic closing quotes', () => {
  const cases: Array<[string, string]> = [
    ['Quoted: \u201Chxxp://evil[.]top/a\u201D and more', 'url http://evil.top/a'],
    ['Quoted: \u2018hxxp://evil[.]top/b\u2019.', 'url http://evil.top/b'],
    ['Cited: \u00ABhxxp://evil[.]top/c\u00BB', 'url http://evil.top/c'],
    ['Cited: \u2039hxxp://evil[.]top/d\u203A', 'url http://evil.top/d'],
  ];
  for (const [text, expected] of cases) {
    const output = readText(text, 'r.txt', {});
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(output.issues, [], text);
  }
});

test('readText keeps URL before other words', () => {
  // A next word that is a host name or a new URL does not continue the path.
  for (const text of [
    'hxxp://evil[.]com/a/b then evil2[.]com',
    'hxxp://evil[.]com/a/b hxxp://evil2[.]com/c',
    'hxxp://evil[.]com/a/ Client.js',
  ]) {
    const output = readText(text, 'r.txt', {});
    assert.equal(output.records[0]?.type, 'url', text);
    assert.equal(output.issues.filter((i) => i.code === 'URL_CUT_AT_SPACE').length, 0, text);
  }
});

test('readText drops fanged reference links', () => {
  const text = [
    'hxxp://evil[.]com/a',
    'https://urlscan.io/search/#evil.com',
    'https://x.com/Unit42_Intel/status/1',
    'https://www.linkedin.com/posts/x',
    'https://github.com/org/repo/issues/12',
  ].join('\n');
  const output = readText(text, 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['http://evil.com/a'],
  );
  assert.equal(output.dropped['reference-link'], 4);
  const withReferences = readText(text, 'r.txt', { keepReferenceLinks: true });
  assert.equal(withReferences.dropped['fanged-in-defanged-text'], 4);
  const all = readText(text, 'r.txt', { keepReferenceLinks: true, keepFangedLinks: true });
  assert.equal(all.records.length, 5);
});

test('readText keeps defanged links on reference hosts', () => {
  assert.deepEqual(found('hxxps://www.github[.]com/brenev/collection/issues/1'), [
    'url https://www.github.com/brenev/collection/issues/1',
  ]);
  assert.deepEqual(found('hxxps://www.github.com/brenev/collection'), [
    'url https://www.github.com/brenev/collection',
  ]);
});

test('readText drops fanged names in defanged text', () => {
  const text = [
    'Lure squats the legitimate lirunex.com with lirunex[.]tech.',
    'Blog: https://www.welivesecurity.com/2019/11/26/x/',
    'Config in `https://www.youtube.com/watch?v=kS1jXg99WiM`',
    'Fanged address 82.221.136.26:443 stays.',
  ].join('\n');
  const output = readText(text, 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    [
      'domain lirunex.tech',
      'url https://www.youtube.com/watch?v=kS1jXg99WiM',
      'ip-port 82.221.136.26:443',
    ],
  );
  assert.equal(output.dropped['fanged-in-defanged-text'], 2);
  assert.equal(readText(text, 'r.txt', { keepFangedLinks: true }).records.length, 5);
});

test('readText keeps fanged names in fanged text', () => {
  assert.deepEqual(found('C2 lirunex.com and https://evil.com/x'), [
    'domain lirunex.com',
    'url https://evil.com/x',
  ]);
});

test('readText drops e-mail sender domains', () => {
  const output = readText('SENDERS OBSERVED\njjandark@daum.net\nbad[@]evil[.]com', 'm.txt', {});
  assert.deepEqual(output.records, []);
  assert.equal(output.dropped['email-address'], 2);
  assert.deepEqual(found('jjandark@daum.net', { keepEmailDomains: true }), ['domain daum.net']);
});

test('readText reads UNC and WebDAV paths', () => {
  const text = 'location:\\\\4[.]203[.]105[.]118@80\\Documentos and \\\\evil[.]com@SSL@443\\x';
  const output = readText(text, 'u.txt', {});
  assert.deepEqual(
    output.records.map((r) => [r.type, r.value, r.context.tags]),
    [
      ['ip-port', '4.203.105.118:80', []],
      ['domain', 'evil.com', ['port:443']],
    ],
  );
});

test('readText reads a WebDAV port after @ in a URL', () => {
  const output = readText('hxxps[://]104[.]41[.]51[.]80@80/Documentos/a3[.]cmd', 't.txt', {});
  assert.deepEqual(
    output.records.map((r) => [r.type, r.value, r.context.tags]),
    [['url', 'https://104.41.51.80:80/Documentos/a3.cmd', []]],
  );
  assert.deepEqual(
    output.issues.map((i) => [i.code, i.severity]),
    [['URL_PORT_AFTER_AT', 'warning']],
  );
  assert.match(output.issues[0]?.message ?? '', /read as "https:\/\/104\.41\.51\.80:80\/Do/);
  assert.equal(output.itemsRead, 1);
});

test('readText reads WebDAV forms that normalization accepts', () => {
  const lines = [
    'hxxps[://]104[.]41[.]51[.]80@80/Documentos/a3[.]cmd',
    'hxxp[://]evil[.]com@443/x',
    'hxxp[://]user@evil[.]com/x',
  ];
  const output = readText(lines.join('\n'), 't.txt', {});
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    [
      'url https://104.41.51.80:80/Documentos/a3.cmd',
      'url http://evil.com:443/x',
      'url http://user@evil.com/x',
    ],
  );
  for (const record of output.records) {
    const result = normalizeIndicator(record);
    assert.ok(
      'indicator' in result,
      `${record.value}: ${'issue' in result ? result.issue.message : ''}`,
    );
  }
});

test('readText passes doubled schemes to normalization', () => {
  const text = [
    'hxxp://http://evil-loader[.]com/drop.bin',
    'hxxps://https://t[.]me/stfmms/api',
    'hxxp://ftp://evil[.]com/a',
  ].join('\n');
  const output = readText(text, 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => `${r.type} ${r.value}`),
    [
      'url http://http://evil-loader.com/drop.bin',
      'url https://https://t.me/stfmms/api',
      'url http://ftp://evil.com/a',
    ],
  );
  assert.deepEqual(output.issues, []);

  const [loader, telegram, nested] = output.records.map((record) => normalizeIndicator(record));
  assert.ok(loader);
  assert.ok('indicator' in loader);
  assert.equal(loader.indicator.value, 'http://evil-loader.com/drop.bin');
  assert.deepEqual(
    loader.warnings.map((w) => w.code),
    ['URL_SCHEME_REPEATED'],
  );
  assert.ok(telegram);
  assert.ok('indicator' in telegram);
  assert.equal(telegram.indicator.value, 'https://t.me/stfmms/api');
  // Two different schemes are no copy error, and normalization rejects them.
  assert.ok(nested);
  assert.ok('issue' in nested);
  assert.match(nested.issue.message, /two different schemes/);
});

test('readText drops doubled-scheme reference links', () => {
  const output = readText('see https://https://t.me/stfmms/api', 'r.txt', {});
  assert.deepEqual(output.records, []);
  assert.equal(output.dropped['reference-link'], 1);
});

test('readText passes hex IPv4 URL hosts to normalization', () => {
  const text = [
    'hxxp://0x7f.0.0.1/a.exe',
    'hxxp://94.0x4A.164.136/fifx.odd',
    'hxxps://https://010.1.1.1:8443/b',
  ].join('\n');
  const output = readText(text, 'r.txt', {});
  assert.equal(output.rejected, 0);
  assert.deepEqual(
    output.records.filter((r) => r.type === 'url').map((r) => r.value),
    [
      'http://0x7f.0.0.1/a.exe',
      'http://94.0x4A.164.136/fifx.odd',
      'https://https://010.1.1.1:8443/b',
    ],
  );
  const normalized = output.records
    .filter((r) => r.type === 'url')
    .map((record) => normalizeIndicator(record));
  assert.deepEqual(
    normalized.map((result) => ('indicator' in result ? result.indicator.value : undefined)),
    ['http://127.0.0.1/a.exe', 'http://94.74.164.136/fifx.odd', 'https://8.1.1.1:8443/b'],
  );
  assert.deepEqual(
    normalized.map((result) => ('warnings' in result ? result.warnings.map((w) => w.code) : [])),
    [['URL_HOST_IPV4_FORM'], ['URL_HOST_IPV4_FORM'], ['URL_SCHEME_REPEATED', 'URL_HOST_IPV4_FORM']],
  );
});

test('readText rejects hex hosts browsers do not read', () => {
  const output = readText('hxxp://0x7f.0.0.256/a and hxxp://0x7g.0.0.1/b', 'r.txt', {});
  assert.deepEqual(output.records, []);
  assert.deepEqual(
    output.issues.map((i) => i.code),
    ['INVALID_URL_HOST', 'INVALID_URL_HOST'],
  );
});

test('readText hunts the decimal host of a cut hex URL', () => {
  const output = readText('hxxp://0x7f.0.0.1/dir/Protected Client.js', 'r.txt', {});
  assert.deepEqual(
    output.records.map((r) => [r.type, r.value, r.context.tags]),
    [['ip', '127.0.0.1', ['from-cut-url']]],
  );
  assert.match(output.issues[0]?.message ?? '', /its host "127\.0\.0\.1" is hunted as an ip/);
});

test('readText drops the trailing dot of an IPv4 URL host', () => {
  const text = [
    'hxxp://45.77.10[.]20./x and hxxps://user@45.77.10[.]21.:8443/y',
    'hxxp://evil[.]com./z and hxxp://45.77.10[.]22../w',
  ].join('\n');
  const output = readText(text, 'r.txt', {});
  assert.deepEqual(
    output.records.filter((r) => r.type === 'url').map((r) => r.value),
    ['http://45.77.10.20/x', 'https://user@45.77.10.21:8443/y', 'http://evil.com./z'],
  );
  assert.deepEqual(
    output.issues.map((i) => [i.code, i.source?.line]),
    [
      ['URL_HOST_TRAILING_DOT', 1],
      ['URL_HOST_TRAILING_DOT', 1],
      ['INVALID_URL_HOST', 2],
    ],
  );
  assert.equal(
    output.issues[0]?.message,
    'URL "http://45.77.10.20./x" writes its address host "45.77.10.20." with a trailing dot, which browsers ignore, so it was read as "http://45.77.10.20/x".',
  );
  assert.match(output.issues[2]?.message ?? '', /Invalid host "45\.77\.10\.22\.\."/);
  for (const record of output.records) {
    const result = normalizeIndicator(record);
    assert.ok('indicator' in result, record.value);
  }
});

test('readText reads a scheme-less IPv6 URL as ip:port', () => {
  // As with `1.2.3.4:8080/gate.php`, the writer gave no scheme, so only the server is hunted.
  assert.deepEqual(found('C2: [2a05:d014:1::5]:8080/gate[.]php and 45.77.10[.]20:8080/gate.php'), [
    'ip-port [2a05:d014:1::5]:8080',
    'ip-port 45.77.10.20:8080',
  ]);
});

test('readText rejects a WebDAV port out of range', () => {
  const output = readText('hxxps[://]104[.]41[.]51[.]80@99999/x', 't.txt', {});
  assert.deepEqual(output.records, []);
  assert.equal(output.rejected, 1);
  assert.deepEqual(
    output.issues.map((i) => i.code),
    ['INVALID_PORT'],
  );
});

test('readText rejects @digits before a colon port', () => {
  // `@80:8080` is no WebDAV form, because a real port follows a colon, so `80` stays the host.
  const output = readText('hxxps[://]104[.]41[.]51[.]80@80:8080/x', 't.txt', {});
  assert.deepEqual(output.records, []);
  assert.deepEqual(
    output.issues.map((i) => i.code),
    ['INVALID_URL_HOST'],
  );
});

test('readText rejects invalid defanged values', () => {
  const output = readText(
    ['999.1.1[.]1', '1.2.3[.]4:70000', 'hxxp://localhost/x', '2001:db8::g1'].join('\n'),
    'bad.txt',
    {},
  );
  assert.deepEqual(output.records, []);
  assert.equal(output.rejected, 3);
  assert.deepEqual(
    output.issues.map((i) => i.code),
    ['INVALID_IP_ADDRESS', 'INVALID_PORT', 'INVALID_URL_HOST'],
  );
  assert.match(output.issues[1]?.message ?? '', /"70000".*0 to 65535\.$/);
  assert.deepEqual(output.issues[1]?.source, { file: 'bad.txt', line: 2 });
});

test('readText issues name their place once', () => {
  const lines = [
    '999.1.1[.]1',
    '1.2.3[.]4:70000',
    'hxxp://localhost/x',
    'hxxps://evil[.]com/files/my invoice.exe',
    'hxxps[://]104[.]41[.]51[.]80@80/Documentos/a3[.]cmd',
    'hxxps[://]evil[.]com:99999/x',
    '2001:db8::1::2[:]3',
    '195.226.218.[.]234:80',
  ];
  const output = readText(lines.join('\n'), 'notes.txt', {});
  assert.deepEqual(
    output.issues.map((issue) => [issue.code, issue.source?.line]),
    [
      ['INVALID_IP_ADDRESS', 1],
      ['INVALID_PORT', 2],
      ['INVALID_URL_HOST', 3],
      ['URL_CUT_AT_SPACE', 4],
      ['URL_PORT_AFTER_AT', 5],
      ['INVALID_PORT', 6],
      ['INVALID_IP_ADDRESS', 7],
      ['MALFORMED_DEFANG', 8],
    ],
  );
  for (const issue of output.issues) {
    const printed = formatIssue(issue);
    assert.ok(printed.startsWith(`notes.txt:${issue.source?.line}: warning `), printed);
    assert.doesNotMatch(issue.message, /notes\.txt|line \d/, printed);
    assert.match(issue.message, /\.$/, printed);
  }
});

test('readText sets source, family and counts', () => {
  const output = readText('x\r\nevil[.]com\r\nsetup.exe', 'blog.txt', { family: 'Remcos' });
  assert.deepEqual(output.records, [
    {
      type: 'domain',
      value: 'evil.com',
      context: { tags: [], family: { name: 'Remcos', aliases: [] } },
      source: { file: 'blog.txt', line: 2 },
    },
  ]);
  assert.equal(output.itemsRead, 2);
  assert.equal(output.itemsRead, output.records.length + output.rejected + droppedTotal(output));
});

test('readText reads a scheme-less path as its domain', () => {
  assert.deepEqual(found('GET evil[.]com/gate.php'), ['domain evil.com']);
});

test('readText reads internationalized domains', () => {
  assert.deepEqual(found('C2 bücher[.]de'), ['domain bücher.de']);
});

test('prose without indicators warns', () => {
  const output = readText('Some prose about the campaign.\nNo values here.\n', 'prose.txt');
  assert.equal(output.itemsRead, 0);
  const codes = output.issues.map((issue) => issue.code);
  assert.deepEqual(codes, ['TEXT_NO_INDICATORS']);
  assert.equal(output.issues[0]?.severity, 'warning');
  assert.match(output.issues[0]?.message ?? '', /"prose\.txt" contains no indicators/);
  assert.equal(output.issues[0]?.source?.file, 'prose.txt');
});

test('empty text gives no warning', () => {
  for (const text of ['', '\n', '  \r\n\t\n', '\uFEFF']) {
    const output = readText(text, 'empty.txt');
    assert.deepEqual(output.issues, [], JSON.stringify(text));
  }
});

test('dropped candidates give no warning', () => {
  const output = readText('Run setup.exe from 10.0.0.0/8 now.\n', 'drops.txt');
  assert.ok(output.itemsRead > 0);
  const codes = output.issues.map((issue) => issue.code);
  assert.ok(!codes.includes('TEXT_NO_INDICATORS'), codes.join(', '));
});
