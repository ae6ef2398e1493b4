import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUserAllowlist } from '../../../src/pipeline/allowlist/index.js';
import { loadUserAllowlist } from '../../../src/pipeline/allowlist/user-list.js';
import type { Probe } from '../../../src/pipeline/allowlist/types.js';
import { parseIpNumber } from '../../../src/pipeline/allowlist/ip-number.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

function matchHost(text: string, host: string): string | undefined {
  return parseUserAllowlist(text, 'allow.txt')
    .compile()
    .match({ kind: 'domain', value: host, host });
}

function matchUrl(text: string, url: string, host: string): string | undefined {
  const probe: Probe = { kind: 'url', value: url, url, host };
  return parseUserAllowlist(text, 'allow.txt').compile().match(probe);
}

function matchAddress(text: string, address: string): string | undefined {
  const probe: Probe = { kind: 'ip', value: address, address: parseIpNumber(address)! };
  return parseUserAllowlist(text, 'allow.txt').compile().match(probe);
}

test('user list skips comments and blank lines', () => {
  const list = parseUserAllowlist('# header\n\n   \n10.0.0.0/8  # lab\r\nexample.org\r\n', 'a.txt');
  assert.equal(list.compile().entryCount, 2);
  assert.equal(list.name, 'user:a.txt');
});

test('user list reads CIDR and bare addresses', () => {
  assert.equal(matchAddress('192.0.2.0/24', '192.0.2.77'), '192.0.2.0/24');
  assert.equal(matchAddress('2001:DB8::1', '2001:db8::1'), '2001:DB8::1');
  assert.equal(matchAddress('192.0.2.0/24', '192.0.3.1'), undefined);
});

test('user domain covers subdomains without limit', () => {
  assert.equal(
    matchHost('corp.internal.acme.com', 'vpn.corp.internal.acme.com'),
    'corp.internal.acme.com',
  );
  assert.equal(matchHost('*.acme.com', 'a.acme.com'), '*.acme.com');
  // Unlike built-in lists, a user entry reaches below public suffixes the user names.
  assert.equal(matchHost('duckdns.org', 'mine.duckdns.org'), 'duckdns.org');
  assert.equal(matchHost('acme.com', 'notacme.com'), undefined);
});

test('user URL matches after host normalization', () => {
  const text = 'HTTPS://Files.Acme.com:443/Share?id=1';
  const url = 'https://files.acme.com/Share?id=1';
  assert.equal(matchUrl(text, url, 'files.acme.com'), text);
  assert.equal(matchUrl(text, 'https://files.acme.com/share?id=1', 'files.acme.com'), undefined);
  assert.equal(matchUrl('http://acme.com', 'http://acme.com/', 'acme.com'), 'http://acme.com');
});

test('user URL drops ws, wss and ftp default ports', () => {
  const cases: Array<[entry: string, url: string]> = [
    ['ws://acme.com:80/feed', 'ws://acme.com/feed'],
    ['wss://acme.com:443/feed', 'wss://acme.com/feed'],
    ['FTP://Files.Acme.com:21/pub', 'ftp://files.acme.com/pub'],
  ];
  for (const [entry, url] of cases) {
    const host = new URL(url).hostname;
    assert.equal(matchUrl(entry, url, host), entry, entry);
  }
  assert.equal(matchUrl('http://acme.com:21/', 'http://acme.com/', 'acme.com'), undefined);
});

test('user hashes compare case-insensitively', () => {
  const hash = 'D41D8CD98F00B204E9800998ECF8427E';
  const list = parseUserAllowlist(`${hash}\n`, 'h.txt').compile();
  assert.equal(list.match({ kind: 'md5', value: hash.toLowerCase() }), hash);
});

test('user regex tests the whole value', () => {
  const text = 'regex:^https?://updates\\.acme\\.com/\n/\\.acme-cdn\\.net$/i\n';
  assert.equal(
    matchUrl(text, 'https://updates.acme.com/x', 'updates.acme.com'),
    'regex:^https?://updates\\.acme\\.com/',
  );
  assert.equal(matchHost(text, 'EU.ACME-CDN.NET'.toLowerCase()), '/\\.acme-cdn\\.net$/i');
  assert.equal(matchHost(text, 'acme-cdn.net.evil.com'), undefined);
});

test('user list rejects an invalid CIDR', () => {
  assert.throws(() => parseUserAllowlist('10.0.0.0/8\n10.0.0.0/33\n', 'lists/allow.txt'), {
    name: 'ConfigError',
    code: 'INVALID_ALLOWLIST_ENTRY',
    message:
      'Invalid allowlist entry "10.0.0.0/33" in lists/allow.txt line 2: it is not a valid IP address or CIDR block such as 192.0.2.1 or 10.0.0.0/8.',
  });
});

test('user list error carries file and line', () => {
  try {
    parseUserAllowlist('# c\n\n300.1.1.1\n', 'allow.txt');
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.equal((error as { source?: unknown }).source !== undefined, true);
    assert.deepEqual((error as { source: unknown }).source, { file: 'allow.txt', line: 3 });
  }
});

test('user list rejects an invalid regex', () => {
  assert.throws(() => parseUserAllowlist('regex:(unclosed\n', 'allow.txt'), {
    code: 'INVALID_ALLOWLIST_ENTRY',
    message: /"regex:\(unclosed" in allow\.txt line 1: the regular expression is invalid/,
  });
});

test('user list rejects values with spaces', () => {
  assert.throws(() => parseUserAllowlist('acme.com extra\n', 'allow.txt'), {
    code: 'INVALID_ALLOWLIST_ENTRY',
    message: /cannot contain spaces; expected an IP address or CIDR block/,
  });
});

test('user list rejects junk host names', () => {
  for (const line of ['acme..com', 'bad_host!', 'http://', '1.2.3']) {
    assert.throws(
      () => parseUserAllowlist(`${line}\n`, 'allow.txt'),
      { code: 'INVALID_ALLOWLIST_ENTRY' },
      line,
    );
  }
});

test('user list names every invalid line', () => {
  const text = ['acme.com', '10.0.0.0/33', '# comment', 'bad_host!', 'good.example', 'a b'].join(
    '\n',
  );
  assert.throws(
    () => parseUserAllowlist(text, 'allow.txt'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_ALLOWLIST_ENTRY');
      assert.match(error.message, /^3 invalid entries in the allowlist allow\.txt:\n/);
      for (const line of [2, 4, 6])
        assert.match(error.message, new RegExp(`allow\\.txt line ${line}:`));
      assert.doesNotMatch(error.message, /line [135]:/);
      return true;
    },
  );
});

test('user list caps the invalid lines it names', () => {
  const text = Array.from({ length: 25 }, (_, index) => `bad_host_${index}!`).join('\n');
  assert.throws(
    () => parseUserAllowlist(text, 'allow.txt'),
    (error: Error) => {
      assert.match(error.message, /^25 invalid entries/);
      assert.match(error.message, /line 20:/);
      assert.doesNotMatch(error.message, /line 21:/);
      assert.match(error.message, /\.\.\. and 5 more$/);
      return true;
    },
  );
});

test('user list version changes with content', () => {
  const first = parseUserAllowlist('acme.com\n', 'a.txt').version();
  const second = parseUserAllowlist('acme.org\n', 'a.txt').version();
  assert.notEqual(first, second);
});

test('public suffix entry warns but matches', (t) => {
  const folder = makeTempDir('allowlist', t);
  const file = join(folder, 'allow.txt');
  writeFileSync(file, '# dynamic DNS\nduckdns.org\nacme.com\n*.ddns.net\norg  # every .org name\n');
  const warnings: string[] = [];
  const list = loadUserAllowlist(file, warnings).compile();
  assert.equal(warnings.length, 3);
  assert.match(
    warnings[0]!,
    /allowlist entry "duckdns\.org" is a public suffix \(private section of the Public Suffix List\), so it sets aside every name under it/,
  );
  assert.ok(warnings[0]!.startsWith(`${file}:2: `));
  assert.ok(warnings[1]!.startsWith(`${file}:4: allowlist entry "*.ddns.net" is a public suffix`));
  assert.ok(warnings[2]!.startsWith(`${file}:5: allowlist entry "org" is a public suffix (ICANN`));
  const host = 'c2-server.duckdns.org';
  assert.equal(list.match({ kind: 'domain', value: host, host }), 'duckdns.org');
});

test('customer zone entry warns but matches', (t) => {
  const file = join(makeTempDir('allowlist', t), 'allow.txt');
  const entries = [
    'glitch.me',
    'eastus.cloudapp.azure.com',
    'cloudapp.azure.com',
    'vm1.eastus.cloudapp.azure.com',
  ];
  writeFileSync(file, entries.join('\n') + '\n');
  const warnings: string[] = [];
  const list = loadUserAllowlist(file, warnings).compile();
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.ok(
    warnings[0]!.startsWith(
      `${file}:1: allowlist entry "glitch.me" is a hosting, tunnel or dynamic DNS zone`,
    ),
  );
  assert.match(warnings[0]!, /such as name\.glitch\.me\./);
  assert.match(warnings[1]!, /such as name\.eastus\.cloudapp\.azure\.com\./);
  assert.match(warnings[2]!, /such as name\.zone\.cloudapp\.azure\.com\./);
  const host = 'evil-app.glitch.me';
  assert.equal(list.match({ kind: 'domain', value: host, host }), 'glitch.me');
});

test('entries that set aside everything warn', () => {
  const warnings: string[] = [];
  const text = [
    '0.0.0.0/0',
    '::/0',
    '10.0.0.0/7',
    'regex:.*',
    '/x*/i',
    '10.0.0.0/8',
    '2001:db8::/32',
    'regex:^evil\\.example$',
  ].join('\n');
  parseUserAllowlist(text, 'allow.txt', warnings);
  assert.equal(warnings.length, 5, warnings.join('\n'));
  assert.match(
    warnings[0]!,
    /^allow\.txt:1: allowlist entry "0\.0\.0\.0\/0" is a \/0 block, so it sets aside every IPv4 address\./,
  );
  assert.match(warnings[1]!, /^allow\.txt:2: .* every IPv6 address\./);
  assert.match(warnings[2]!, /^allow\.txt:3: .* a large part of all IPv4 addresses/);
  assert.match(warnings[3]!, /^allow\.txt:4: allowlist entry "regex:\.\*" matches the empty text/);
  assert.match(warnings[4]!, /^allow\.txt:5: allowlist entry "\/x\*\/i" matches the empty text/);
});

test('registered domains get no warning', () => {
  const warnings: string[] = [];
  parseUserAllowlist('acme.com\nfoo.duckdns.org\nintranet.corp\ncorp\n', 'allow.txt', warnings);
  assert.deepEqual(warnings, []);
});
