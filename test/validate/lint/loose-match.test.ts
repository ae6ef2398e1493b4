import { test } from 'node:test';
import assert from 'node:assert/strict';
import { found, lintLines as lint, messageOf, query } from './lint-lines.js';

test('lint flags contains on a domain', async (t) => {
  const { issues } = await lint(t, [
    '| domain | evil[.]com |',
    '',
    ...query('| where RemoteUrl contains "evil.com"'),
  ]);
  assert.deepEqual(found(issues), [['LOOSE_MATCH', 6]]);
  const issue = issues.find((item) => item.code === 'LOOSE_MATCH');
  assert.equal(issue?.severity, 'warning');
  assert.equal(issue?.source?.column, 9);
  const message = messageOf(issues, 'LOOSE_MATCH', 6);
  assert.match(message, /^RemoteUrl contains "evil\.com" also matches other hosts/);
  assert.match(message, /"notevil\.com" and "evil\.com\.example\.net"/);
  assert.doesNotMatch(message, / has /);
  assert.match(
    message,
    /RemoteUrl can contain whole URLs, so compare the host of each: add \| extend UrlHost = trim_end\(/,
  );
  assert.match(message, /UrlHost =~ "evil\.com" or UrlHost endswith "\.evil\.com"/);
  assert.match(message, /For several hosts, use UrlHost in~ \(\.\.\.\)/);
  assert.doesNotMatch(message, /RemoteUrl =~/);
});

test('lint flags endswith on a domain', async (t) => {
  const { issues } = await lint(t, [
    ...query('| where DestinationHostName endswith "evil.com"', '| project RemoteIP'),
  ]);
  assert.deepEqual(found(issues), [['LOOSE_MATCH', 4]]);
  const message = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(message, /^DestinationHostName endswith "evil\.com" also matches other hosts/);
  assert.match(message, /such as "notevil\.com"\./);
  assert.doesNotMatch(message, /example\.net/);
  assert.match(
    message,
    /Match the host instead: DestinationHostName =~ "evil\.com" or DestinationHostName endswith "\.evil\.com" matches the host and its subdomains/,
  );
  assert.doesNotMatch(message, / has |whole URLs/);
});

test('lint flags startswith and negated forms', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteUrl startswith_cs "evil.com"',
      '| where RemoteUrl !contains "update.example.org"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
  ]);
  const startsWith = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(
    startsWith,
    /startswith_cs "evil\.com" also matches other hosts, such as "evil\.com\.example\.net"\./,
  );
  assert.match(startsWith, /then UrlHost =~ "evil\.com", or UrlHost in~/);
  const negated = messageOf(issues, 'LOOSE_MATCH', 5);
  assert.match(negated, /!contains "update\.example\.org" also removes other hosts/);
  assert.match(negated, /"notupdate\.example\.org"/);
  assert.match(negated, /then UrlHost !~ "update\.example\.org"/);
  assert.match(negated, /not\(UrlHost =~ "update\.example\.org" or UrlHost endswith/);
  assert.doesNotMatch(negated, /!has/);
});

test('lint flags loose URL matches', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RequestURL contains "bad.example.org/a"',
      '| where RequestURL !endswith "https://bad.example.org/a"',
      '| where RequestURL contains "https://bad.example.org/a"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 6],
  ]);
  const bare = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(bare, /also matches other URLs, such as "https:\/\/notbad\.example\.org\/a"/);
  assert.doesNotMatch(bare, /host|endswith/);
  assert.match(
    bare,
    /RequestURL in~ \("http:\/\/bad\.example\.org\/a", "https:\/\/bad\.example\.org\/a", "bad\.example\.org\/a"\)/,
  );
  assert.match(
    bare,
    /trim_start\(@"\[A-Za-z\]\[A-Za-z0-9\+\.-\]\*:\/\/", RequestURL\) =~ "bad\.example\.org\/a"/,
  );
  const withScheme = messageOf(issues, 'LOOSE_MATCH', 6);
  assert.match(
    withScheme,
    /such as "https:\/\/example\.net\/\?next=https:\/\/bad\.example\.org\/a"/,
  );
  assert.match(withScheme, /RequestURL =~ "https:\/\/bad\.example\.org\/a"/);
});

test('lint flags loose address matches', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteIP contains "10.0.0.1"',
      '| where RemoteIP endswith "45.92.1.175"',
      // No valid address starts with 255.255.255.255 and goes on.
      '| where RemoteIP startswith "255.255.255.255"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
  ]);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 4), /such as "10\.0\.0\.10" and "110\.0\.0\.1"/);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 4), /RemoteIP == "10\.0\.0\.1"/);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 5), /such as "145\.92\.1\.175"\./);
});

test('lint passes exact host matches', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteUrl endswith ".evil.com" or RemoteUrl =~ "evil.com"',
      // A word that is no host name, and a file name whose extension is also a TLD.
      '| where RemoteUrl contains "payload"',
      '| where InitiatingProcessFileName endswith "setup.py"',
      '| where InitiatingProcessCommandLine contains "evil.com"',
      // Text inside a comment or a string is no comparison.
      '// | where RemoteUrl contains "evil.com"',
      '| extend Note = "RemoteUrl contains \'evil.com\'"',
      '| extend Verbatim = @"RemoteUrl contains ""evil.com"""',
    ),
  ]);
  assert.deepEqual(found(issues), []);
});

test('lint flags has on a host', async (t) => {
  const { issues } = await lint(t, [...query('| where RemoteUrl has "evil-c2.badzone.top"')]);
  assert.deepEqual(found(issues), [['LOOSE_MATCH', 4]]);
  const issue = issues.find((item) => item.code === 'LOOSE_MATCH');
  assert.equal(issue?.source?.column, 9);
  const message = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(message, /^RemoteUrl has "evil-c2\.badzone\.top" also matches other hosts/);
  assert.match(
    message,
    /such as "not-evil-c2\.badzone\.top" and "evil-c2\.badzone\.top\.example\.net"\./,
  );
  assert.match(message, /Kusto splits values into terms at every character but letters and digits/);
  assert.match(
    message,
    /UrlHost =~ "evil-c2\.badzone\.top" or UrlHost endswith "\.evil-c2\.badzone\.top"/,
  );
  assert.match(message, /RemoteUrl can contain whole URLs, so compare the host of each/);
});

test('lint flags loose DNS query names', async (t) => {
  const { issues } = await lint(t, [
    '```kql',
    'DnsEvents',
    '| where TimeGenerated > ago(7d)',
    '| where Name has "evil.com"',
    '| where Name hassuffix "evil.com"',
    '| where Name matches regex "evil.com"',
    '```',
    '',
    '```kql',
    'ASimDnsActivityLogs',
    '| where TimeGenerated > ago(7d)',
    '| where DnsQuery has_any ("evil.com")',
    '| where DnsQuery =~ "evil.com" or DnsQuery endswith ".evil.com"',
    '```',
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
    ['LOOSE_MATCH', 6],
    ['LOOSE_MATCH', 12],
  ]);
  assert.match(
    messageOf(issues, 'LOOSE_MATCH', 4),
    /^Name has "evil\.com" also matches other hosts/,
  );
});

test('lint passes Name of other tables', async (t) => {
  const { issues } = await lint(t, [
    '```kql',
    'KubePodInventory',
    '| where TimeGenerated > ago(7d)',
    '| where Name has "evil.com"',
    '```',
  ]);
  assert.deepEqual(
    found(issues).filter(([code]) => code === 'LOOSE_MATCH'),
    [],
  );
});

test('lint flags hassuffix, hasprefix and !has', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where DestinationHostName hassuffix "evil.com"',
      '| where DestinationHostName hasprefix_cs "evil.com"',
      '| where DestinationHostName !has "update.example.org"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
    ['LOOSE_MATCH', 6],
  ]);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 4), /such as "notevil\.com" and "evil\.com\./);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 5), /such as "not-evil\.com" and "evil\.com\./);
  const negated = messageOf(issues, 'LOOSE_MATCH', 6);
  assert.match(negated, /!has "update\.example\.org" also removes other hosts/);
  assert.match(negated, /DestinationHostName !~ "update\.example\.org"/);
});

test('lint flags has on URLs, addresses', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteUrl has "bad-host.badzone.top/gate.php"',
      '| where RemoteUrl has "45.9.148.10"',
      '| where RemoteIP hasprefix "45.9.148.1"',
      '| where RemoteIP hassuffix "45.9.148.10"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
    ['LOOSE_MATCH', 6],
    ['LOOSE_MATCH', 7],
  ]);
  const url = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(url, /such as "https:\/\/not-bad-host\.badzone\.top\/gate\.php"/);
  assert.match(url, /"bad-host\.badzone\.top\/gate\.php-old\.zip"/);
  assert.match(url, /RemoteUrl in~ \("http:\/\/bad-host/);
  const address = messageOf(issues, 'LOOSE_MATCH', 5);
  assert.match(address, /such as "45\.9\.148\.10\.example\.net"\./);
  assert.match(address, /Host == "45\.9\.148\.10"/);
  assert.doesNotMatch(address, /compares whole terms/);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 6), /such as "45\.9\.148\.10"\./);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 6), /RemoteIP == "45\.9\.148\.1"/);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 7), /such as "145\.9\.148\.10"\./);
});

test('lint passes has on other values', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      // A word that is no host, and hosts in columns that are no host, URL or address.
      '| where RemoteUrl has "login"',
      '| where InitiatingProcessCommandLine has "evil.com"',
      '| where AdditionalFields has "evil.com"',
      // An address column contains one address, so has matches that address only.
      '| where RemoteIP has "45.9.148.1"',
    ),
  ]);
  assert.deepEqual(found(issues), []);
});

test('lint flags has_any on hosts', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteUrl has_any ("evil.com", "login", "bad.org")',
      '| where DestinationHostName has_any (dynamic(["evil.com"]))',
      '| where RemoteUrl has_any ("10.0.0.1")',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
    ['LOOSE_MATCH', 6],
  ]);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 6), /such as "10\.0\.0\.1\.example\.net"\./);
  assert.equal(issues.find((item) => item.code === 'LOOSE_MATCH')?.source?.column, 9);
  const url = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(url, /^RemoteUrl has_any \("evil\.com", "login", "bad\.org"\) matches each value/);
  assert.match(url, /such as "not-evil\.com" and "evil\.com\.example\.net"/);
  assert.ok(
    url.includes(
      String.raw`RemoteUrl matches regex @"(?i)^\s*([a-z][a-z0-9+.-]*://)?([^@/?#]*@)?([^@/:?#]*\.)?(evil\.com|bad\.org)\.?(:[0-9]*)?([/?#]|$)"`,
    ),
    url,
  );
  assert.match(url, /Keep "login" in a has_any of its own/);
  const host = messageOf(issues, 'LOOSE_MATCH', 5);
  assert.match(host, /DestinationHostName matches regex @"\(\?i\)\(\^\|\\\.\)evil\\\.com\$"/);
  assert.doesNotMatch(host, /of its own/);
});

test('lint passes has_any on other values', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteIP has_any ("45.9.148.10", "10.0.0.1")',
      '| where RemoteUrl has_any ("login", "admin")',
      '| where InitiatingProcessCommandLine has_any ("evil.com", "bad.org")',
      '| where RemoteUrl has_any (iocs)',
      '// | where RemoteUrl has_any ("evil.com")',
    ),
  ]);
  assert.deepEqual(found(issues), []);
});

test('lint flags unanchored host regex', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where RemoteUrl matches regex @"evil-c2\\.badzone\\.top"',
      '| where DestinationHostName matches regex "evil.com"',
      '| where DestinationHostName matches regex @"^evil\\.com"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
    ['LOOSE_MATCH', 6],
  ]);
  const url = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.equal(issues.find((item) => item.code === 'LOOSE_MATCH')?.source?.column, 9);
  assert.match(url, /^RemoteUrl matches regex @"evil-c2\\\.badzone\\\.top" also matches other/);
  assert.match(url, /such as "notevil-c2\.badzone\.top" and "evil-c2\.badzone\.top\.example\.net"/);
  assert.match(url, /no anchor at the start and none at the end/);
  assert.ok(
    url.includes(
      String.raw`RemoteUrl matches regex @"(?i)^\s*([a-z][a-z0-9+.-]*://)?([^@/?#]*@)?([^@/:?#]*\.)?evil-c2\.badzone\.top\.?(:[0-9]*)?([/?#]|$)"`,
    ),
    url,
  );
  const dots = messageOf(issues, 'LOOSE_MATCH', 5);
  assert.match(dots, /its unescaped dot matches any character, as in "evil-com"/);
  assert.match(dots, /DestinationHostName matches regex @"\(\?i\)\(\^\|\\\.\)evil\\\.com\$"/);
  const start = messageOf(issues, 'LOOSE_MATCH', 6);
  assert.match(start, /such as "evil\.com\.example\.net", because/);
  assert.match(start, /no anchor at the end/);
  assert.doesNotMatch(start, /notevil/);
});

test('lint flags a word-boundary regex', async (t) => {
  const { issues } = await lint(t, [
    ...query('| where DestinationHostName matches regex @"(?i)\\bevil\\.com$"'),
  ]);
  assert.deepEqual(found(issues), [['LOOSE_MATCH', 4]]);
  const message = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(message, /such as "not-evil\.com", because/);
  assert.match(message, /starts at a word boundary, which a "-" also makes\./);
  assert.doesNotMatch(message, /notevil/);
});

test('lint flags unanchored address regex', async (t) => {
  const { issues } = await lint(t, [...query('| where RemoteIP matches regex "10.0.0.1"')]);
  assert.deepEqual(found(issues), [['LOOSE_MATCH', 4]]);
  const message = messageOf(issues, 'LOOSE_MATCH', 4);
  assert.match(message, /such as "10\.0\.0\.10" and "110\.0\.0\.1"/);
  assert.match(message, /unescaped dots match any character, as in "10-0\.0\.1"/);
  assert.match(message, /RemoteIP == "10\.0\.0\.1"/);
});

test('lint passes an anchored regex', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where DestinationHostName matches regex @"(?i)(^|\\.)evil\\.com$"',
      '| where DestinationHostName matches regex @"^evil\\.com$"',
      '| where DestinationHostName matches regex @"\\.evil\\.com$"',
      '| where RemoteUrl matches regex @"^https?://evil\\.com/"',
      '| where RemoteUrl matches regex @"[0-9]+\\.php"',
      // The fixes that lint suggests.
      '| where RemoteUrl matches regex @"(?i)^([a-z][a-z0-9+.-]*://)?([^/:?#]*\\.)?evil\\.com([:/?#]|$)"',
      '| where RemoteUrl matches regex @"(?i)^([a-z][a-z0-9+.-]*://)?evil\\.com/gate\\.php$"',
      '| where RemoteUrl matches regex @"^([a-z][a-z0-9+.-]*://)?10\\.0\\.0\\.1([:/?#]|$)"',
      '| where InitiatingProcessCommandLine matches regex "evil.com"',
      '// | where RemoteUrl matches regex "evil.com"',
      // Repeated labels and optional delimited groups, as analysts write them.
      String.raw`| where RemoteUrl matches regex @"^([a-z0-9-]+\.)*evil\.com$"`,
      String.raw`| where RemoteUrl matches regex @"^(https?://)?([a-z0-9-]+\.)*evil\.com(/.*)?$"`,
      String.raw`| where RemoteUrl matches regex @"(?i)^(https?://)?([a-z0-9-]+\.)*evil\.com(:\d+)?(/|$)"`,
      String.raw`| where RemoteUrl matches regex @"^(?:[a-z0-9-]+\.)+evil\.com$"`,
      String.raw`| where DestinationHostName matches regex @"^([a-z0-9-]+[.])*evil\.com$"`,
      String.raw`| where DestinationHostName matches regex @"^(?i)([a-z]+\.)*evil\.com$"`,
      String.raw`| where DestinationHostName matches regex @"^(.*\.)?evil\.com(/.*|$)"`,
    ),
  ]);
  assert.deepEqual(found(issues), []);
});

test('lint flags loose repeated groups', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      String.raw`| where RemoteUrl matches regex @"^.*([a-z0-9-]+\.)*evil\.com$"`,
      String.raw`| where RemoteUrl matches regex @"^([a-z]+)*evil\.com$"`,
      String.raw`| where RemoteUrl matches regex @"([a-z0-9-]+\.)*evil\.com$"`,
      String.raw`| where RemoteUrl matches regex @"^([a-z0-9-]+\.)*evil\.com(.*)?$"`,
      String.raw`| where RemoteUrl matches regex @"^([a-z0-9-]+\.)*evil\.com(/|$)?"`,
      String.raw`| where RemoteUrl matches regex @"^https?://evil\.com/?"`,
      String.raw`| where RemoteUrl matches regex @"(^|\.)evil\.com(?s:.*)?$"`,
      String.raw`| where RemoteUrl matches regex @"^(.*/)?evil\.com(/.*)?$"`,
      String.raw`| where RemoteUrl matches regex @"^([^/]+/)*evil\.com$"`,
    ),
  ]);
  assert.deepEqual(
    found(issues).map(([code]) => code),
    Array.from({ length: 9 }, () => 'LOOSE_MATCH'),
  );
});

test('lint keeps a wrapped column whole', async (t) => {
  const { issues } = await lint(t, [
    ...query(
      '| where tolower(RemoteUrl) matches regex "evil.com"',
      '| where tolower(RemoteUrl) has_any ("evil.com")',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
  ]);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 4), /^tolower\(RemoteUrl\) matches regex "evil/);
  assert.match(messageOf(issues, 'LOOSE_MATCH', 5), /^tolower\(RemoteUrl\) has_any \("evil/);
  assert.equal(issues.find((item) => item.code === 'LOOSE_MATCH')?.source?.column, 9);
});

test('lint drops Kusto notes on a loose match', async (t) => {
  const { issues } = await lint(
    t,
    [
      ...query(
        '| where RemoteUrl contains "evil.com"',
        '| where RemoteUrl contains "10.0.0.1"',
        '| where InitiatingProcessAccountName contains "svc"',
      ),
    ],
    { kusto: true },
  );
  // KS500 advises has and KS514 has_ipv4 for contains, which LOOSE_MATCH warns against.
  assert.deepEqual(found(issues, ['LOOSE_MATCH', 'KQL_KS500', 'KQL_KS514']), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
    ['KQL_KS500', 6],
  ]);
});

test('address list column keeps has', async (t) => {
  const { issues } = await lint(t, [
    'DnsEvents',
    '| where TimeGenerated > ago(7d)',
    '| where IPAddresses has "45.92.1.175"',
    '| where IPAddresses contains "45.92.1.17"',
    '| where IPAddresses hasprefix "45.92.1.17"',
  ]);
  assert.deepEqual(found(issues), [
    ['LOOSE_MATCH', 4],
    ['LOOSE_MATCH', 5],
  ]);
  for (const issue of issues.filter((item) => item.code === 'LOOSE_MATCH')) {
    assert.match(
      issue.message,
      /so compare whole addresses in it: IPAddresses has "45\.92\.1\.17"\.$/,
    );
    assert.doesNotMatch(issue.message, /==/);
  }
});

test('lint reads a let list of has_any', async (t) => {
  const { issues } = await lint(t, [
    'let domains = dynamic(["evil.com", "bad.net"]);',
    'let answers = dynamic(["45.92.1.175"]);',
    'DnsEvents',
    '| where TimeGenerated > ago(1d)',
    '| where Name has_any (domains)',
    '| where IPAddresses has_any (answers)',
    '| where Name has_any (unknownList)',
  ]);
  assert.deepEqual(found(issues), [['LOOSE_MATCH', 5]]);
  const message = issues.find((issue) => issue.code === 'LOOSE_MATCH')?.message ?? '';
  assert.match(message, /^Name has_any \(domains\) matches each value as has does/);
  assert.ok(message.includes(String.raw`(evil\.com|bad\.net)$`), message);
});

test('lint reads the let list in force', async (t) => {
  const { issues } = await lint(t, [
    'let answers = dynamic(["evil.com"]);',
    'let answers = dynamic(["45.92.1.175"]);',
    'DnsEvents',
    '| where TimeGenerated > ago(1d)',
    '| where IPAddresses has_any (answers)',
  ]);
  assert.deepEqual(found(issues), []);
});
