/**
 * A pack that `huntpack build --exclusions` writes must lint clean. Its KQL guards each number
 * comparison of an exclusion with isnotnull(), which lint must read as deliberate, not as a term
 * that can go.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');

/** Exclusions on the destination port: one value, a range, and a list. */
const EXCLUSIONS = [
  'exclusions:',
  '  - id: proxy-port',
  '    title: Proxy on 8080',
  "    filter: 'DestinationPort == 8080'",
  '  - id: high-ports',
  '    title: High ports',
  "    filter: 'DestinationPort > 60000 and DestinationPort < 65000'",
  '  - id: backup-ports',
  '    title: Backup ports',
  "    filter: 'DestinationPort in (9000, 9001)'",
  '',
].join('\n');

test('lint passes pack with port exclusions', async (t) => {
  const folder = makeTempDir('lint-pack-exclusions', t);
  const exclusions = join(folder, 'exclusions.yaml');
  await writeFile(exclusions, EXCLUSIONS);
  const out = join(folder, 'packs');
  const build = await runCli([
    'build',
    FEED,
    '--family',
    'Cobalt Strike',
    '--exclusions',
    exclusions,
    '--out',
    out,
  ]);
  assert.equal(build.code, 0, build.stderr);
  const report = join(out, 'cobalt-strike', 'report.md');
  const text = await readFile(report, 'utf8');
  // The report writes the guarded exclusions that the test is about.
  assert.match(
    text,
    /\| where not\(\(isnotnull\(DestinationPort\) and DestinationPort == 8080\)\)/,
  );
  assert.match(text, /isnotnull\(DestinationPort\) and DestinationPort > 60000/);

  const result = await runCli(['lint', report]);
  assert.equal(result.code, 0, result.stdout);
  assert.doesNotMatch(result.stdout, /FILTER_REDUNDANT_TERM/);
  assert.match(
    result.stdout,
    /checked with the Kusto parser, \d+ exclusions, 0 errors, 0 warnings/,
  );
  assert.match(
    result.stdout,
    /it removes only events where DestinationPort is more than 60000 and DestinationPort is less than 65000\n/,
  );
});
