import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintReport } from '../../../src/validate/lint/lint-report.js';
import { SHARED_DATA } from '../../helpers/shared.js';
import { found, lintLines as lint, messageOf, query } from './lint-lines.js';

test('lint flags live indicators in the text', async (t) => {
  const { issues } = await lint(t, [
    '| Type | Value |',
    '|---|---|',
    '| ip:port | 45.92.1.175:5220 |',
    '| url | http://bad.org/payload.exe |',
    '| ip:port | 2[.]27[.]17[.]179:6644 |',
    '',
    ...query(
      '| where RemoteIP in ("45.92.1.175", "2.27.17.179")',
      '| where RemoteUrl has "bad.org"',
    ),
  ]);
  assert.deepEqual(found(issues, ['LIVE_INDICATOR']), [
    ['LIVE_INDICATOR', 3],
    ['LIVE_INDICATOR', 4],
  ]);
  assert.equal(issues.find((item) => item.code === 'LIVE_INDICATOR')?.severity, 'warning');
  assert.match(
    messageOf(issues, 'LIVE_INDICATOR', 3),
    /\("45\.92\.1\.175:5220"\).* Defang it: 45\[\.\]92\[\.\]1\[\.\]175:5220\./,
  );
  assert.match(
    messageOf(issues, 'LIVE_INDICATOR', 4),
    /Defang it: hxxp:\/\/bad\[\.\]org\/payload\.exe\./,
  );
  assert.deepEqual(found(issues, ['NOT_HUNTED']), []);
});

test('lint ignores indicators in code', async (t) => {
  const { issues } = await lint(t, [
    '# Indicators',
    '',
    'Values are defanged, as in evil[.]com.',
    '',
    '- `45.92.1.175:5220` (inline code)',
    '- 10.1.2.3:445, a private address',
    '- The loader is built on ASP.NET.',
    '',
    '```text',
    '198.18.0.1 http://bad.org/payload.exe',
    '```',
    '',
    ...query(
      '| where RemoteIP == "45.92.1.175" and RemotePort == 5220',
      '| where RemoteUrl =~ "evil.com" or RemoteUrl endswith ".evil.com"',
    ),
  ]);
  assert.deepEqual(found(issues), []);
});

test('lint flags listed values no query hunts', async (t) => {
  const { issues } = await lint(t, [
    '| Type | Value |',
    '|---|---|',
    '| ip:port | 45[.]92[.]1[.]175:5220 |',
    '| domain | c2[.]bad-domain[.]net |',
    '| url | hxxp://bad[.]org/payload.exe |',
    '| url | hxxps://files[.]example-cdn[.]net/a.zip |',
    '| sha256 | 2c53b4dc15882cf22772994d8ed0947e4a8b70aef3a12ab190017b3317c167ea |',
    '',
    ...query(
      '| where RemoteIP == "45.92.1.175" and RemotePort == 5220',
      // The host of the second URL is hunted, which covers the URL.
      '| where RemoteUrl =~ "files.example-cdn.net"',
    ),
  ]);
  assert.deepEqual(found(issues), [
    ['NOT_HUNTED', 4],
    ['NOT_HUNTED', 5],
    ['NOT_HUNTED', 7],
  ]);
  assert.match(
    messageOf(issues, 'NOT_HUNTED', 4),
    /^The report lists the domain "c2\.bad-domain\.net", but no query in the report names it/,
  );
  assert.match(messageOf(issues, 'NOT_HUNTED', 5), /the URL "http:\/\/bad\.org\/payload\.exe"/);
  assert.match(messageOf(issues, 'NOT_HUNTED', 7), /the SHA-256 hash "2c53b4dc/);
});

test('lint skips references and watchlist hunts', async (t) => {
  const references = await lint(t, [
    'Seen at evil[.]com.',
    '',
    '## References',
    '',
    '- https://learn.microsoft.com/en-us/azure/sentinel/hunting',
    '- hxxps://reports[.]example-vendor[.]com/remcos',
    '',
    '## Hunts',
    '',
    ...query('| where RemoteUrl =~ "evil.com"'),
  ]);
  assert.deepEqual(found(references.issues), []);

  const watchlist = await lint(t, [
    '| domain | c2[.]bad-domain[.]net |',
    '',
    ...query('| where RemoteUrl has_any ((_GetWatchlist("iocs") | project SearchKey))'),
  ]);
  assert.deepEqual(found(watchlist.issues), []);

  const noQuery = await lint(t, ['| domain | c2[.]bad-domain[.]net |']);
  assert.deepEqual(found(noQuery.issues), []);
});

const SHARED_EXAMPLE = join(SHARED_DATA, '..', 'examples', 'remcos-hunt-report.txt');

test('lint adds no finding to the example', { skip: skipWithoutExample() }, () => {
  const result = lintReport(readFileSync(SHARED_EXAMPLE, 'utf8'), 'remcos-hunt-report.txt', {
    checkKql: false,
  });
  assert.deepEqual(found(result.issues), []);
  assert.equal(result.issues.filter((issue) => issue.code === 'PORT_IGNORED').length, 2);
  assert.equal(
    result.issues.filter((issue) => issue.code === 'EXCLUSION_REMOVES_NOTHING').length,
    2,
  );
});

function skipWithoutExample(): false | string {
  try {
    readFileSync(SHARED_EXAMPLE);
    return false;
  } catch {
    return `needs ${SHARED_EXAMPLE}, which is not present`;
  }
}
