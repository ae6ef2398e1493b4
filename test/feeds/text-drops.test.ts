import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';
import { MAX_DROPPED_VALUES_SHOWN } from '../../src/feeds/text-drops.js';

const DROPPED = 'TEXT_CANDIDATES_DROPPED';

function dropIssues(text: string): string[] {
  return readText(text, 'paste.txt', {})
    .issues.filter((issue) => issue.code === DROPPED)
    .map((issue) => issue.message);
}

test('drop issue per reason names values', () => {
  const text = [
    'C2 evil[.]com, mail from a@b.org',
    'dropped setup.exe then https://urlscan.io/result/1 and http://vendor.com/blog',
    'C2 45.9.1.2:80 and again 45.9.1.2',
  ].join('\n');
  const output = readText(text, 'paste.txt', {});

  assert.deepEqual(output.dropped, {
    'email-address': 1,
    'reference-link': 1,
    'fanged-in-defanged-text': 1,
    'unknown-tld': 1,
    'covered-by-ip-port': 1,
  });
  const issues = output.issues.filter((issue) => issue.code === DROPPED);
  assert.equal(issues.length, 5);
  for (const issue of issues) {
    assert.equal(issue.severity, 'info');
    assert.deepEqual(issue.source, { file: 'paste.txt' });
  }

  const messages = issues.map((issue) => issue.message);
  assert.ok(
    messages.includes(
      'Left out 1 candidate as email-address, e-mail addresses, whose domain is usually a mail provider: "a@b[.]org" (line 1).',
    ),
  );
  assert.ok(
    messages.some(
      (m) =>
        m.includes('as reference-link') && m.includes('"hxxps://urlscan[.]io/result/1" (line 2)'),
    ),
  );
  assert.ok(
    messages.some(
      (m) =>
        m.includes('as fanged-in-defanged-text') &&
        m.includes('"hxxp://vendor[.]com/blog" (line 2)'),
    ),
  );
  assert.ok(
    messages.some((m) => m.includes('as unknown-tld') && m.includes('"setup[.]exe" (line 2)')),
  );
  assert.ok(
    messages.some(
      (m) => m.includes('as covered-by-ip-port') && m.includes('"45[.]9[.]1[.]2" (line 3)'),
    ),
  );
});

test('drop issue caps the named values', () => {
  const total = MAX_DROPPED_VALUES_SHOWN + 7;
  const names = Array.from({ length: total }, (_, i) => `file${i}.exe`);
  const output = readText(names.join('\n'), 'paste.txt', {});
  assert.equal(output.dropped['unknown-tld'], total);
  assert.equal(output.itemsRead, total);
  const [message] = output.issues.filter((i) => i.code === DROPPED).map((i) => i.message);
  assert.match(message ?? '', new RegExp(`^Left out ${total} candidates as unknown-tld, `));
  assert.equal((message?.match(/ \(line \d+\)/g) ?? []).length, MAX_DROPPED_VALUES_SHOWN);
  assert.match(message ?? '', /"file19\[\.\]exe" \(line 20\), and 7 more\.$/);
  assert.equal(message?.includes('file20'), false);
});

test('text without drops has no drop issue', () => {
  assert.deepEqual(dropIssues('C2 evil[.]com and 45.9.1.2'), []);
});

test('defanged onion name is reported', () => {
  const output = readText('Tor C2 at c2[.]onion and abcdef234567[.]i2p', 'paste.txt', {});
  assert.deepEqual(output.records, []);
  assert.equal(output.dropped['unknown-tld'], 2);
  const warnings = output.issues.filter((issue) => issue.code === 'DEFANGED_NAME_NOT_HUNTED');
  assert.equal(warnings.length, 2);
  assert.equal(warnings[0]?.severity, 'warning');
  assert.deepEqual(warnings[0]?.source, { file: 'paste.txt', line: 1 });
  assert.match(
    warnings[0]?.message ?? '',
    /^Left out the defanged name "c2\[\.\]onion": it is a Tor onion service/,
  );
  assert.match(warnings[0]?.message ?? '', /DNS and proxy logs do not show it by name/);
  assert.match(warnings[1]?.message ?? '', /"abcdef234567\[\.\]i2p": it is an I2P site/);
  assert.match(warnings[1]?.message ?? '', /Hunt I2P traffic/);
});

test('defanged unknown TLD is reported', () => {
  const output = readText('C2 panel[.]bit and notes.txt', 'paste.txt', {});
  const warnings = output.issues.filter((issue) => issue.code === 'DEFANGED_NAME_NOT_HUNTED');
  assert.equal(output.dropped['unknown-tld'], 2);
  // Only the defanged name gets an issue, and the live file name is only counted.
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0]?.message ?? '',
    /"panel\[\.\]bit": \.bit is not an IANA top-level domain/,
  );
  assert.equal(warnings[0]?.severity, 'info');
  assert.match(warnings[0]?.message ?? '', /check it for a typo/);
});

test('live onion name gets no warning', () => {
  const output = readText('see c2.onion', 'paste.txt', {});
  assert.equal(output.issues.filter((i) => i.code === 'DEFANGED_NAME_NOT_HUNTED').length, 0);
  assert.equal(output.dropped['unknown-tld'], 1);
});
