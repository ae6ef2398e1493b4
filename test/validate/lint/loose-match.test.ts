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
  assert.match(message, /RemoteUrl =~ "evil\.com" or RemoteUrl endswith "\.evil\.com"/);
  assert.match(message, /For several hosts, use in~ \(\.\.\.\)/);
  assert.match(message, /If RemoteUrl contains whole URLs, compare their host: \| extend Host = /);
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
  assert.match(startsWith, /RemoteUrl =~ "evil\.com"/);
  const negated = messageOf(issues, 'LOOSE_MATCH', 5);
  assert.match(negated, /!contains "update\.example\.org" also removes other hosts/);
  assert.match(negated, /"notupdate\.example\.org"/);
  assert.match(negated, /RemoteUrl !~ "update\.example\.org"/);
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
      '| where RemoteUrl has "evil.com"',
      '| where RemoteUrl endswith ".evil.com" or RemoteUrl =~ "evil.com"',
      '| where RemoteUrl has_any ("evil.com", "bad.org")',
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

test('lint flags a loose match beside the Kusto note', async (t) => {
  const { issues } = await lint(t, [...query('| where RemoteUrl contains "evil.com"')], {
    kusto: true,
  });
  assert.deepEqual(found(issues, ['LOOSE_MATCH', 'KQL_KS500']), [
    ['KQL_KS500', 4],
    ['LOOSE_MATCH', 4],
  ]);
});
