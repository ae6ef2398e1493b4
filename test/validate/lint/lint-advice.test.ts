/**
 * Runs the fixes that LOOSE_MATCH suggests: through the Kusto check, through lint again, and on
 * sample values with the same regular expressions, to show that each fix compiles and matches
 * the hosts it claims to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkKql } from '../../../src/validate/kusto.js';
import { lintReport } from '../../../src/validate/lint/lint-report.js';
import { urlHostExpression } from '../../../src/validate/lint/loose-match.js';
import { hostPattern } from '../../../src/validate/lint/loose-regex.js';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const HEADER = ['UrlClickEvents', '| where TimeGenerated > ago(7d)'];

/** Values that a fix for evil-c2.xyz must match, and values it must not match. */
const SAME_HOST = [
  'evil-c2.xyz',
  'https://evil-c2.xyz/gate.php',
  'HTTPS://EVIL-C2.XYZ:8443/x',
  'https://user@evil-c2.xyz./gate',
  'http://user:pw@a.evil-c2.xyz/',
  ' evil-c2.xyz.',
];
const OTHER_HOST = [
  'notevil-c2.xyz',
  'https://evil-c2.xyz.example.net/',
  'https://example.net/?next=https://evil-c2.xyz/',
  'https://evil-c2.xyz@example.net/',
  'https://evil-c2.xyz:pw@example.net/',
];

/** Returns the lint messages of one query whose last line is `condition`. */
function looseMatchMessages(condition: string): string[] {
  const text = ['```kql', ...HEADER, condition, '```'].join('\n');
  const result = lintReport(text, 'report.md', { checkKql: false });
  return result.issues.filter((issue) => issue.code === 'LOOSE_MATCH').map((i) => i.message);
}

/** Returns Kusto's errors and warnings for a query, as "code: message" lines. */
function kustoProblems(query: string): string[] {
  return checkKql(query, { platform: 'sentinel' })
    .filter((diagnostic) => diagnostic.severity !== 'info')
    .map((diagnostic) => `${diagnostic.code}: ${diagnostic.message}`);
}

/** Computes what the generated queries' host expression returns, with JavaScript's RegExp. */
function hostOf(value: string): string {
  const pattern = /extract\(@"([^"]*)"/.exec(urlHostExpression('Url'))?.[1] ?? '';
  const host = new RegExp(pattern).exec(value.trim())?.[1] ?? '';
  return host.toLowerCase().replace(/\.+$/, '');
}

test('URL column fix compiles', () => {
  const [message] = looseMatchMessages('| where Url contains "evil-c2.xyz"');
  assert.ok(message);
  const fix = /add (\| extend UrlHost = .*?) before this where, then (.*?) matches the host/.exec(
    message,
  );
  assert.ok(fix, message);
  const query = [...HEADER, fix[1], `| where ${fix[2]}`].join('\n');
  assert.deepEqual(kustoProblems(query), []);
  const relinted = lintReport(['```kql', query, '```'].join('\n'), 'fixed.md', {
    checkKql: false,
  });
  assert.deepEqual(
    relinted.issues.filter((issue) => issue.code === 'LOOSE_MATCH'),
    [],
  );
});

test('UrlChain fix compiles', () => {
  const [message] = looseMatchMessages('| where UrlChain contains "evil-c2.xyz"');
  assert.ok(message);
  const fix = /replace the where with (\| mv-apply .*?\| take 1\))/.exec(message);
  assert.ok(fix, message);
  assert.deepEqual(kustoProblems([...HEADER, fix[1]].join('\n')), []);
});

test('regex fixes compile and relint', () => {
  const conditions = [
    '| where Url matches regex "evil-c2.xyz"',
    '| where Url matches regex "10.0.0.1"',
  ];
  for (const condition of conditions) {
    const [message] = looseMatchMessages(condition);
    assert.ok(message, condition);
    const fix = / (Url matches regex @"(?:[^"]|"")*")/.exec(message.slice(condition.length));
    assert.ok(fix, message);
    const query = [...HEADER, `| where ${fix[1]}`].join('\n');
    assert.deepEqual(kustoProblems(query), [], query);
    const relinted = lintReport(['```kql', query, '```'].join('\n'), 'fixed.md', {
      checkKql: false,
    });
    assert.deepEqual(
      relinted.issues.filter((issue) => issue.code === 'LOOSE_MATCH').map((i) => i.message),
      [],
    );
  }
});

test('host expression matches sample URLs', () => {
  const matches = (value: string) => {
    const host = hostOf(value);
    return host === 'evil-c2.xyz' || host.endsWith('.evil-c2.xyz');
  };
  for (const value of SAME_HOST) assert.equal(matches(value), true, value);
  for (const value of OTHER_HOST) assert.equal(matches(value), false, value);
});

test('URL host regex matches sample URLs', () => {
  // Kusto's RE2 and JavaScript read these patterns alike; (?i) becomes the i flag.
  const pattern = hostPattern('Url', String.raw`evil-c2\.xyz`).replace(/^\(\?i\)/, '');
  const regex = new RegExp(pattern, 'i');
  for (const value of SAME_HOST) assert.equal(regex.test(value), true, value);
  for (const value of OTHER_HOST) assert.equal(regex.test(value), false, value);
});

test('host expression equals the generated one', async (t) => {
  const folder = makeTempDir('lint-advice', t);
  const feed = join(folder, 'feed.txt');
  await writeFile(feed, 'C2 domain: evil-c2.xyz\n');
  const out = join(folder, 'packs');
  const result = await runCli(['build', feed, '--family', 'Remcos', '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  const queries = join(out, 'remcos', 'queries');
  const files = await readdir(queries);
  const csl = files.find((name) => name.includes('sentinel-csl'));
  assert.ok(csl, files.join(', '));
  const text = await readFile(join(queries, csl), 'utf8');
  assert.ok(text.includes(urlHostExpression('RequestURL')), text);
});
