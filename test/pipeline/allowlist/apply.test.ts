import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyAllowlists,
  checkIndicator,
  loadAllowlists,
  type AllowlistDecision,
} from '../../../src/pipeline/allowlist/index.js';
import {
  domainIndicator,
  hashIndicator,
  ipIndicator,
  ipPortIndicator,
  urlIndicator,
} from './make-indicator.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const lists = loadAllowlists();

type SetAsideDecision = Extract<AllowlistDecision, { action: 'set-aside' }>;

function setAside(decision: AllowlistDecision): SetAsideDecision {
  if (decision.action !== 'set-aside')
    assert.fail(`expected set-aside: ${JSON.stringify(decision)}`);
  return decision;
}

test('rfc1918 sets aside a private address', () => {
  const decision = setAside(checkIndicator(ipIndicator('192.168.1.20'), lists));
  assert.equal(decision.list, 'rfc1918');
  assert.equal(decision.listVersion, 5);
  assert.equal(decision.entry, '192.168.0.0/16');
  assert.match(decision.reason, /RFC 1918/);
});

test('rfc1918 sets aside the MISP ip-dst|port 10.10.30.110|1992', () => {
  const decision = setAside(checkIndicator(ipPortIndicator('10.10.30.110', 1992), lists));
  assert.equal(decision.list, 'rfc1918');
  assert.equal(decision.entry, '10.0.0.0/8');
});

test('public DNS resolvers are set aside', () => {
  const v4 = setAside(checkIndicator(ipIndicator('8.8.8.8'), lists));
  assert.equal(v4.list, 'public-dns-v4');
  assert.equal(v4.entry, '8.8.8.8');
  const v6 = setAside(checkIndicator(ipIndicator('2001:4860:4860::8888'), lists));
  assert.equal(v6.list, 'public-dns-v6');
});

test('cloudflare address is set aside', () => {
  const decision = setAside(checkIndicator(ipPortIndicator('104.16.0.1', 443), lists));
  assert.equal(decision.list, 'cloudflare');
  assert.equal(decision.entry, '104.16.0.0/13');
  assert.match(decision.reason, /CDN edge address/);
  assert.match(decision.reason, /even with a port/);
});

test('address lists that ignore the port', () => {
  const cases: Array<[string, number, string]> = [
    ['10.10.30.110', 1992, 'rfc1918'],
    ['104.21.27.14', 443, 'sinkholes'],
    ['1.0.0.1', 53, 'public-dns-v4'],
    ['104.18.20.226', 80, 'crl-ip'],
    ['140.248.128.9', 443, 'fastly'],
    ['104.47.1.1', 443, 'microsoft-office365-ip'],
    ['103.224.182.5', 80, 'parking-domain'],
  ];
  for (const [address, port, list] of cases) {
    const decision = setAside(checkIndicator(ipPortIndicator(address, port), lists));
    assert.equal(decision.list, list, `${address}:${port}`);
  }
});

test('hosting lists keep ip:port, set aside ip', () => {
  const cases: Array<[string, string]> = [
    ['13.55.118.253', 'amazon-aws'],
    ['20.204.61.204', 'microsoft-azure'],
    ['34.92.128.98', 'google-gcp'],
    ['172.236.10.250', 'akamai'],
  ];
  for (const [address, list] of cases) {
    assert.equal(checkIndicator(ipPortIndicator(address, 443), lists).action, 'keep', address);
    const bare = setAside(checkIndicator(ipIndicator(address), lists));
    assert.equal(bare.list, list, address);
    assert.match(bare.reason, /cloud hosting address/, address);
  }
});

test('URL on a hosting address is a full-URL match', () => {
  const decision = checkIndicator(urlIndicator('http://20.204.61.204:8080/load.bin'), lists);
  assert.equal(decision.action, 'keep');
  assert.ok('matchAs' in decision);
  assert.equal(decision.list, 'microsoft-azure');
});

test('URL on a CDN edge is matched whole only', () => {
  for (const [url, list] of [
    ['http://104.21.75.114/cx', 'cloudflare'],
    ['https://151.101.1.69/gate', 'fastly'],
  ]) {
    const decision = checkIndicator(urlIndicator(url!), lists);
    assert.ok('matchAs' in decision, url);
    assert.equal(decision.list, list, url);
    assert.equal(decision.urlOnly, true, url);
    assert.match(decision.reason, /even on the URL's port; hunts match this exact URL only\.$/);
  }
  // On rented hosting, the URL's address and port are as specific as an ip:port there.
  const hosted = checkIndicator(urlIndicator('http://20.204.61.204:8080/load.bin'), lists);
  assert.ok('matchAs' in hosted);
  assert.equal(hosted.urlOnly, undefined);
});

test('an ip:port on a hosting address is kept for its port only', () => {
  const hosted = ipPortIndicator('13.55.118.253', 443);
  const elsewhere = ipPortIndicator('45.67.99.1', 8080);
  const platformUrl = urlIndicator('https://pastebin.com/raw/abcd');
  const result = applyAllowlists([hosted, elsewhere, platformUrl], lists);
  assert.deepEqual(result.kept, [hosted, elsewhere, platformUrl]);
  assert.equal(hosted.exactOnly?.list, 'amazon-aws');
  assert.match(hosted.exactOnly?.reason ?? '', /bare address would flood/);
  assert.equal(elsewhere.exactOnly, undefined);
  assert.equal(platformUrl.exactOnly?.list, 'trusted-platforms');
  assert.equal(platformUrl.exactOnly?.entry, 'pastebin.com');
});

test('sinkhole wins over the cloudflare range it sits in', () => {
  const decision = setAside(checkIndicator(ipIndicator('104.21.27.14'), lists));
  assert.equal(decision.list, 'sinkholes');
  assert.equal(decision.entry, '104.21.27.14');
  assert.match(decision.reason, /^sinkholed/);
});

test('sinkhole CIDR entry matches an address inside', () => {
  const decision = setAside(checkIndicator(ipIndicator('104.244.13.7'), lists));
  assert.equal(decision.list, 'sinkholes');
  assert.equal(decision.entry, '104.244.12.0/22');
});

test('uppercase 2001:DB8::/32 matches documentation addresses', () => {
  const decision = setAside(checkIndicator(ipIndicator('2001:db8:85a3::8a2e:370:7334'), lists));
  assert.equal(decision.list, 'rfc3849');
  assert.equal(decision.entry, '2001:DB8::/32');
});

test('special ranges cover what MISP lists lack', () => {
  const cases: Array<[string, string]> = [
    ['::1', '::1/128'],
    ['fd12:3456::1', 'fc00::/7'],
    ['ff02::1', 'ff00::/8'],
    ['3fff::1', '3fff::/20'],
    ['100::1', '100::/64'],
    ['2001:2::5', '2001:2::/48'],
  ];
  for (const [address, entry] of cases) {
    const decision = setAside(checkIndicator(ipIndicator(address), lists));
    assert.equal(decision.list, 'special-ranges', address);
    assert.equal(decision.entry, entry, address);
  }
});

test('NAT64 address is checked as its IPv4 address', () => {
  const decision = setAside(checkIndicator(ipIndicator('64:ff9b::808:808'), lists));
  assert.equal(decision.list, 'public-dns-v4');
  assert.equal(checkIndicator(ipIndicator('64:ff9b::2d5c:1af'), lists).action, 'keep');
});

test('leading-dot string entry matches subdomains only', () => {
  const decision = setAside(checkIndicator(domainIndicator('mail.google.ad'), lists));
  assert.equal(decision.list, 'google');
  assert.equal(decision.entry, '.google.ad');
  const exact = setAside(checkIndicator(domainIndicator('google.ad'), lists));
  assert.equal(exact.entry, 'google.ad');
});

test('tranco domain is set aside', () => {
  const decision = setAside(checkIndicator(domainIndicator('reddit.com'), lists));
  assert.equal(decision.list, 'tranco10k');
  assert.equal(decision.listVersion, 20250115);
  const subdomain = setAside(checkIndicator(domainIndicator('old.reddit.com'), lists));
  assert.equal(subdomain.entry, 'reddit.com');
});

test('URL on a tranco host is kept as full URL', () => {
  const decision = checkIndicator(urlIndicator('https://www.wikipedia.org/payload.hta'), lists);
  assert.equal(decision.action, 'keep');
  assert.ok('matchAs' in decision);
  assert.equal(decision.matchAs, 'full-url');
  assert.equal(decision.list, 'tranco10k');
  assert.match(decision.reason, /popular site/);
  assert.match(decision.reason, /exact URL/);
});

test('github URL is kept as full URL', () => {
  const url = urlIndicator(
    'https://raw.githubusercontent.com/whereveryouare666/linuxsys/refs/heads/main/linux.bin',
  );
  const result = applyAllowlists([url], lists);
  assert.deepEqual(result.kept, [url]);
  assert.equal(result.setAside.length, 0);
  assert.equal(result.fullUrl.length, 1);
  assert.equal(result.fullUrl[0]!.matchAs, 'full-url');
  assert.equal(result.fullUrl[0]!.list, 'trusted-platforms');
  assert.equal(result.fullUrl[0]!.entry, 'raw.githubusercontent.com');
});

test('github.com domain is set aside', () => {
  const decision = setAside(checkIndicator(domainIndicator('github.com'), lists));
  assert.equal(decision.list, 'trusted-platforms');
  assert.equal(decision.entry, 'github.com');
  assert.match(decision.reason, /code hosting/);
});

test('github URL found on a vendor blog list stays full URL', () => {
  // security-provider-blogpost lists github.com and medium.com, where anyone can publish.
  const decision = checkIndicator(urlIndicator('https://medium.com/@x/y'), lists);
  assert.equal(decision.action, 'keep');
  assert.ok('matchAs' in decision);
});

test('customer subdomain of a platform is kept as a domain', () => {
  assert.equal(checkIndicator(domainIndicator('contoso.sharepoint.com'), lists).action, 'keep');
  const url = checkIndicator(urlIndicator('https://contoso.sharepoint.com/x.zip'), lists);
  assert.ok('matchAs' in url);
  assert.equal(url.list, 'trusted-platforms');
});

test('dynamic DNS names under a tranco zone are kept', () => {
  for (const name of ['evil.duckdns.org', 'c2.ddns.net', 'x.hopto.org', 'evil.github.io']) {
    assert.equal(checkIndicator(domainIndicator(name), lists).action, 'keep', name);
  }
  assert.equal(checkIndicator(domainIndicator('duckdns.org'), lists).action, 'set-aside');
});

test('customer zone names missing from the PSL are kept', () => {
  // Real ThreatFox C2 names; tranco10k lists asuscomm.com and azure.com.
  const names = ['asusupdateserver.asuscomm.com', 'lcowpowerlite.italynorth.cloudapp.azure.com'];
  for (const name of names) {
    assert.equal(checkIndicator(domainIndicator(name), lists).action, 'keep', name);
  }
});

test('empty-file hashes are set aside', () => {
  const md5 = setAside(
    checkIndicator(hashIndicator('md5', 'D41D8CD98F00B204E9800998ECF8427E'), lists),
  );
  assert.equal(md5.list, 'empty-hashes');
  const sha256 = hashIndicator(
    'sha256',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
  assert.equal(setAside(checkIndicator(sha256, lists)).list, 'empty-hashes');
});

test('special-use names are set aside', () => {
  assert.equal(
    setAside(checkIndicator(domainIndicator('printer.local'), lists)).list,
    'special-ranges',
  );
  assert.equal(setAside(checkIndicator(domainIndicator('10.in-addr.arpa'), lists)).list, 'rfc6761');
  const url = setAside(checkIndicator(urlIndicator('http://127.0.0.1:8080/x'), lists));
  assert.equal(url.entry, '127.0.0.0/8');
});

test('URL shortener domain set aside, link kept', () => {
  assert.equal(setAside(checkIndicator(domainIndicator('is.gd'), lists)).list, 'url-shortener');
  const link = checkIndicator(urlIndicator('https://is.gd/abc123'), lists);
  assert.ok('matchAs' in link);
  assert.equal(link.list, 'url-shortener');
});

test('what-is-my-IP URL is set aside', () => {
  const decision = setAside(checkIndicator(urlIndicator('http://checkip.amazonaws.com/'), lists));
  assert.equal(decision.list, 'whats-my-ip');
});

test('disabled list no longer matches', () => {
  const withoutTranco = loadAllowlists({ disable: ['tranco10k'] });
  assert.equal(checkIndicator(domainIndicator('reddit.com'), withoutTranco).action, 'keep');
  assert.ok(!withoutTranco.sources.some((source) => source.name === 'tranco10k'));
});

test('unknown list name in disable is rejected', () => {
  assert.throws(() => loadAllowlists({ disable: ['tranco1m'] }), {
    name: 'ConfigError',
    code: 'UNKNOWN_ALLOWLIST',
    message: /"tranco1m".*Expected one of rfc1918/,
  });
});

test('builtIn false keeps everything', () => {
  const none = loadAllowlists({ builtIn: false });
  assert.equal(none.sources.length, 0);
  assert.equal(checkIndicator(ipIndicator('10.0.0.1'), none).action, 'keep');
});

test('user file applies after built-ins', (t) => {
  const folder = makeTempDir('allowlist', t);
  const file = join(folder, 'allow.txt');
  writeFileSync(file, '# lab\n198.51.0.0/16\ncorp.acme-widgets.com\n10.1.0.0/16\n');
  const withUser = loadAllowlists({ userFiles: [file] });
  const decision = setAside(checkIndicator(domainIndicator('vpn.corp.acme-widgets.com'), withUser));
  assert.equal(decision.list, `user:${file}`);
  assert.equal(decision.entry, 'corp.acme-widgets.com');
  assert.match(String(decision.listVersion), /^[0-9a-f]{12}$/);
  const address = setAside(checkIndicator(ipIndicator('198.51.7.7'), withUser));
  assert.equal(address.entry, '198.51.0.0/16');
  // A built-in list that matches first is the one named.
  assert.equal(setAside(checkIndicator(ipIndicator('10.1.2.3'), withUser)).list, 'rfc1918');
});

test('missing user file is a ConfigError', () => {
  assert.throws(() => loadAllowlists({ userFiles: ['/nonexistent/allow.txt'] }), {
    name: 'ConfigError',
    code: 'ALLOWLIST_NOT_READABLE',
    message: /\/nonexistent\/allow\.txt/,
  });
});

test('every indicator lands in exactly one output', () => {
  const indicators = [
    ipIndicator('8.8.8.8'),
    ipPortIndicator('172.245.95.9', 2404),
    domainIndicator('github.com'),
    urlIndicator('https://github.com/a/b/releases/download/v1/x.exe'),
    hashIndicator('sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'),
  ];
  const result = applyAllowlists(indicators, lists);
  assert.equal(result.kept.length + result.setAside.length, indicators.length);
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    ['172.245.95.9:2404', 'https://github.com/a/b/releases/download/v1/x.exe'],
  );
  assert.deepEqual(
    result.setAside.map((entry) => entry.list),
    ['public-dns-v4', 'trusted-platforms', 'empty-hashes'],
  );
  for (const entry of result.setAside) assert.ok(entry.reason.length > 20);
});
