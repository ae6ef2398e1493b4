import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defangText, defangUrlText } from '../../src/indicators/defang-text.js';

describe('defangText', () => {
  const cases: Array<[input: string, expected: string]> = [
    ['allow', 'allow'],
    ['evil-host.top', 'evil-host[.]top'],
    ['blocked:login.evil-host.top', 'blocked:login[.]evil-host[.]top'],
    ['user@mail.evil.example', 'user@mail[.]evil[.]example'],
    ['to 178.32.252.70:443.', 'to 178[.]32[.]252[.]70:443.'],
    ['notatime-http://evil-host.top/', 'notatime-hxxp://evil-host[.]top/'],
    [
      'HTTPS://Evil.Example:8443/a.b?next=http://x.test/',
      'HXXPS://Evil[.]Example:8443/a.b?next=hxxp://x[.]test/',
    ],
    ['ftp://files.evil.example/x.zip', 'ftp://files[.]evil[.]example/x.zip'],
    ['"http://evil.example/\\"b"', '"hxxp://evil[.]example/\\"b"'],
    ['from 2001:db8::7 on', 'from [2001[:]db8[:][:]7] on'],
    ['[2001:db8::7]:8080', '[2001[:]db8[:][:]7]:8080'],
    ['ends at 2001:db8::7.', 'ends at [2001[:]db8[:][:]7].'],
    ['::ffff:192.0.2.1', '[[:][:]ffff[:]192[.]0[.]2[.]1]'],
    ['xn--80ak6aa92e.com', 'xn--80ak6aa92e[.]com'],
    ['пример.рф', 'пример[.]рф'],
    ['a date such as "Jul 31 2022 12:46:24"', 'a date such as "Jul 31 2022 12:46:24"'],
    ['an offset such as +01:00', 'an offset such as +01:00'],
    ['version 1.2.3 and 3.14', 'version 1.2.3 and 3.14'],
    ['ISO 8601', 'ISO 8601'],
  ];
  for (const [input, expected] of cases) {
    it(`defangs ${JSON.stringify(input)}`, () => {
      assert.equal(defangText(input), expected);
    });
  }
});

it('names start at word starts', () => {
  assert.equal(defangText('x_evil.com and 1evil.com'), 'x_evil[.]com and 1evil[.]com');
  assert.equal(defangText('see 1http://evil.com/a'), 'see 1hxxp://evil[.]com/a');
  const label = 'a'.repeat(64);
  assert.equal(defangText(`${label}.com`), `${label}.com`, 'a label of 64 is no host name');
  assert.equal(defangText(`${'a'.repeat(63)}.com`), `${'a'.repeat(63)}[.]com`);
});

describe('defangUrlText on long values', () => {
  // A regex that reads a run of letters again from each letter took minutes on such values.
  it('defangs a URL with a long path', () => {
    const path = `/${'a'.repeat(1024 * 1024)}`;
    assert.equal(
      defangUrlText(`http://evil.example.com${path}`),
      `hxxp://evil[.]example[.]com${path}`,
    );
  });

  it('defangs every nested URL', () => {
    const nested = 'http://a.b/'.repeat(100_000);
    assert.equal(defangUrlText(nested), 'hxxp://a[.]b/'.repeat(100_000));
  });

  it('ends a nested URL at a space', () => {
    assert.equal(
      defangUrlText('http://a.b/?u=http://c.d/x y.z http://e.f'),
      'hxxp://a[.]b/?u=hxxp://c[.]d/x y.z hxxp://e[.]f',
    );
  });
});
