import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

function read(text: string): FeedReaderOutput {
  return readText(text, 'paste.txt', {});
}

/** Returns `type value` for each record, in order. */
function found(text: string): string[] {
  return read(text).records.map((r) => `${r.type} ${r.value}`);
}

function codes(output: FeedReaderOutput): string[] {
  return output.issues.map((issue) => issue.code);
}

function droppedTotal(output: FeedReaderOutput): number {
  return Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
}

/** Asserts that each text gives the expected `type value` records and no issue. */
function assertReadsQuietly(cases: ReadonlyArray<[string, string[]]>): void {
  for (const [text, expected] of cases) {
    const output = read(text);
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      expected,
      text,
    );
    assert.deepEqual(codes(output), [], text);
  }
}

test('removes IDNA-ignored characters inside a name', () => {
  const cases: Array<[string, string]> = [
    ['C2 domain: ev\u200Bil-plain.com', 'domain evil-plain.com'],
    ['payload\u00ADhost.net', 'domain payloadhost.net'],
    ['C2 ev\u2060il-wj.com today', 'domain evil-wj.com'],
    ['C2 ev\uFEFFil-bom.com today', 'domain evil-bom.com'],
    ['C2 ev\u200B\u00ADil-two.com today', 'domain evil-two.com'],
    ['defanged ev\u200Bil-min[.]com', 'domain evil-min.com'],
    ['url http://ev\u200Bil-x.com/x', 'url http://evil-x.com/x'],
    ['url hxxp://ev\u200Bil-y[.]com/x', 'url http://evil-y.com/x'],
    ['path https://evil.com/a/\u200Bb.php', 'url https://evil.com/a/b.php'],
    ['C2 9\u200B1.92.241.20', 'ip 91.92.241.20'],
  ];
  for (const [text, expected] of cases) {
    const output = read(text);
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(codes(output), ['INVISIBLE_CHARACTER_REMOVED'], text);
  }
});

test('removed character warning names both values', () => {
  const output = read('first line\nC2 domain: ev\u200Bil-plain.com, then more');
  const [warning] = output.issues;
  assert.equal(warning?.code, 'INVISIBLE_CHARACTER_REMOVED');
  assert.equal(warning?.severity, 'warning');
  assert.deepEqual(warning?.source, { file: 'paste.txt', line: 2 });
  assert.match(
    warning?.message ?? '',
    /^Read "ev\\u200bil-plain\.com" as "evil-plain\.com": removed U\+200B \(ZERO WIDTH SPACE\)/,
  );
});

test('reads a hash split by a zero width space whole', () => {
  const half = '0123456789abcdef0123456789abcdef';
  assert.deepEqual(found(`sha256 ${half}\u200B${half}`), [`sha256 ${half}${half}`]);
});

test('rejects a name with a direction control or joiner', () => {
  const characters = [
    '\u200C',
    '\u200D',
    '\u200E',
    '\u200F',
    '\u202A',
    '\u202B',
    '\u202C',
    '\u202D',
    '\u202E',
    '\u2066',
    '\u2067',
    '\u2068',
    '\u2069',
    '\u061C',
  ];
  for (const char of characters) {
    const hex = char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    for (const text of [`C2 ev${char}il-plain.com`, `C2 ev${char}il-min[.]com`]) {
      const output = read(text);
      assert.deepEqual(output.records, [], `${hex}: ${text}`);
      assert.equal(output.rejected, 1, `${hex}: ${text}`);
      assert.equal(output.itemsRead, 1, `${hex}: ${text}`);
      assert.deepEqual(codes(output), ['INVISIBLE_CHARACTER'], `${hex}: ${text}`);
      assert.match(output.issues[0]?.message ?? '', new RegExp(`U\\+${hex}`), `${hex}: ${text}`);
    }
  }
});

test('rejects a URL with a joiner in its host', () => {
  const output = read('get http://ev\u200Dil-x.com/x now');
  assert.deepEqual(output.records, []);
  assert.equal(output.rejected, 1);
  const [warning] = output.issues;
  assert.deepEqual(warning?.source, { file: 'paste.txt', line: 1 });
  assert.match(
    warning?.message ?? '',
    /^Rejected "http:\/\/ev.il-x\.com\/x": it contains U\+200D \(ZERO WIDTH JOINER\) inside/,
  );
});

test('rejects only the word with the character', () => {
  const output = read('C2 good.com and (ev\u202Eil.com), then 45.9.1.2');
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['good.com', '45.9.1.2'],
  );
  assert.match(output.issues[0]?.message ?? '', /^Rejected "ev\\u202eil\.com": /);
  assert.equal(output.itemsRead, output.records.length + output.rejected + droppedTotal(output));
});

test('keeps direction marks around a name', () => {
  assert.deepEqual(found('\u200Eevil.com\u200E. and \u202Aevil2.com\u202C'), [
    'domain evil.com',
    'domain evil2.com',
  ]);
  assert.deepEqual(found('C2 \u200Fevil[.]com\u200F'), ['domain evil.com']);
  assert.deepEqual(codes(read('\u200Eevil.com\u200E.')), []);
});

test('leaves invisible characters in prose alone', () => {
  // Persian writes U+200C inside words, Thai separates words with U+200B, emoji join with U+200D.
  const persian = '\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645';
  const thai = '\u0E20\u0E32\u0E29\u0E32\u200B\u0E44\u0E17\u0E22';
  const output = read(`${persian} evil.com ${thai} \u{1F468}\u200D\u{1F4BB} 45.9.1.2`);
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['evil.com', '45.9.1.2'],
  );
  assert.deepEqual(codes(output), []);
});

test('an edge zero width space gives no warning', () => {
  const output = read('C2 \u200Bevil.com\u200B and 45.9.1.2\u200B');
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['evil.com', '45.9.1.2'],
  );
  assert.deepEqual(codes(output), []);
});

test('keeps a no-break space as a separator', () => {
  assert.deepEqual(found('host\u00A0evil-nbsp.com\u00A0today'), ['domain evil-nbsp.com']);
});

test('reads IDNA full stops as dots', () => {
  const cases: Array<[string, string]> = [
    ['C2 evil\u3002com', 'domain evil.com'],
    ['C2 evil\uFF0Eorg', 'domain evil.org'],
    ['C2 evil\uFF61net', 'domain evil.net'],
    ['C2 www\u3002evil\u3002co\u3002uk', 'domain www.evil.co.uk'],
    ['get http://evil\u3002com/x', 'url http://evil.com/x'],
  ];
  for (const [text, expected] of cases) {
    const output = read(text);
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(codes(output), ['IDNA_FULL_STOP'], text);
  }
  assert.match(
    read('C2 evil\u3002com').issues[0]?.message ?? '',
    /^Read "evil。com" as "evil\.com": read U\+3002 \(IDEOGRAPHIC FULL STOP\) as a dot/,
  );
});

test('keeps a full stop that ends a sentence', () => {
  const cases: Array<[string, string[]]> = [
    ['\u8FDE\u63A5 evil.com\u3002\u7136\u540E', ['domain evil.com']],
    ['C2 evil.com\u3002The end', ['domain evil.com']],
    ['C2 evil.com\u3002', ['domain evil.com']],
  ];
  assertReadsQuietly(cases);
});

test('counts every invisible-character candidate', () => {
  const text = [
    'C2 ev\u200Bil-a.com and ev\u202Eil-b.com',
    'dropped se\u200Btup.exe',
    'C2 evil\u3002com and 45.9.1.2',
  ].join('\n');
  const output = read(text);
  assert.deepEqual(
    output.records.map((r) => r.value),
    ['evil-a.com', 'evil.com', '45.9.1.2'],
  );
  assert.equal(output.rejected, 1);
  assert.deepEqual(output.dropped, { 'unknown-tld': 1 });
  assert.equal(output.itemsRead, output.records.length + output.rejected + droppedTotal(output));
});

test('zero width space next to other script', () => {
  const cases: Array<[string, string[]]> = [
    [
      '\u0E40\u0E0B\u0E34\u0E23\u0E4C\u0E1F\u0E40\u0E27\u0E2D\u0E23\u0E4C\u200Bthai-c2.com\u200B\u0E16\u0E39\u0E01',
      ['domain thai-c2.com'],
    ],
    ['\u670D\u52A1\u5668\u200Bcn-zw-c2.net\u200B\u88AB\u4F7F\u7528', ['domain cn-zw-c2.net']],
    ['\u670D\u52A1\u5668\u200B45.9.1.2\u2060\u88AB', ['ip 45.9.1.2']],
  ];
  assertReadsQuietly(cases);
});

test('full stop before a run into other script', () => {
  const cases: Array<[string, string[]]> = [
    ['C2 \u5730\u5740\u4E3A 45.77.1.9\u30022023\u5E74\u8BE5\u7EC4\u7EC7', ['ip 45.77.1.9']],
    [
      '\u57DF\u540D\u662F cn-end-c2.com\u3002APT\u7EC4\u7EC7\u4F7F\u7528\u5B83',
      ['domain cn-end-c2.com'],
    ],
    ['\u57DF\u540D evil.com\u3002APT-C-36\u7EC4\u7EC7', ['domain evil.com']],
  ];
  assertReadsQuietly(cases);
  for (const text of ['C2 evil\u3002com', 'C2 evil\u3002com today', 'C2 evil\u3002com\u3002']) {
    assert.deepEqual(found(text), ['domain evil.com'], text);
  }
});

test('direction mark before punctuation or a port', () => {
  const cases: Array<[string, string[]]> = [
    [
      '\u0627\u0644\u0646\u0637\u0627\u0642 evil-ar.com\u200F\u060C \u062B\u0645',
      ['domain evil-ar.com'],
    ],
    ['C2 45.61.6.2\u200F:8080 seen', ['ip 45.61.6.2']],
    ['C2 rtl-port.com\u200F:8443 seen', ['domain rtl-port.com']],
    ['C2 evil-rlm.com\u200F\u0627\u0644\u0646\u0637\u0627\u0642', ['domain evil-rlm.com']],
    ['C2 \u200Fevil-lead.com, then', ['domain evil-lead.com']],
  ];
  for (const [text, expected] of cases) {
    const output = read(text);
    const values = output.records.map((r) => `${r.type} ${r.value}`);
    for (const value of expected) assert.ok(values.includes(value), `${text}: ${values.join(' ')}`);
    assert.ok(!codes(output).includes('INVISIBLE_CHARACTER'), text);
    assert.equal(output.rejected, 0, text);
  }
});

test('direction mark ends a URL', () => {
  const cases: Array<[string, string]> = [
    ['URL one https://rlm-end-url.com/a.php\u200F seen', 'url https://rlm-end-url.com/a.php'],
    ['URL three https://pdf-end-url.com/c.php\u202C seen', 'url https://pdf-end-url.com/c.php'],
    ['URL four \u202Bhttps://rle-url.com/d.php\u202C seen', 'url https://rle-url.com/d.php'],
    ['URL: \u2067https://rli-url.com/a\u2069 seen', 'url https://rli-url.com/a'],
    [
      '\u0639\u0646\u0648\u0627\u0646 URL: \u200Fhttps://arabic-url-c2.com/gate.php\u200F\u060C \u062B\u0645',
      'url https://arabic-url-c2.com/gate.php',
    ],
  ];
  for (const [text, expected] of cases) {
    const output = read(text);
    assert.deepEqual(
      output.records.map((r) => `${r.type} ${r.value}`),
      [expected],
      text,
    );
    assert.deepEqual(codes(output), [], text);
  }
});

test('direction mark after a Hebrew prefix', () => {
  assert.deepEqual(found('התוקף התחבר ב-\u200ehe-prefix-c2.com\u200e כשרת שליטה'), [
    'domain he-prefix-c2.com',
  ]);
  assert.deepEqual(found('השרת ה-\u200e45.61.7.1\u200e שימש להורדה'), ['ip 45.61.7.1']);
  assert.deepEqual(found('ל-\u200fhe-rlm-c2.net ואז'), ['domain he-rlm-c2.net']);
  // Between a Latin hyphen and a letter the mark is still inside the value.
  const latin = read('C2 at evil-\u200fx.com today');
  assert.deepEqual(latin.records, []);
  assert.ok(codes(latin).includes('INVISIBLE_CHARACTER'));
});

test('full stops only run into prose', () => {
  assert.deepEqual(found('IP为103．45．67．92作为C2'), ['ip 103.45.67.92']);
  // After a name with ASCII dots, the full stop still ends the sentence.
  assert.deepEqual(found('C2 地址为 45.77.1.9。2023年该组织继续活动'), ['ip 45.77.1.9']);
});
