/**
 * `huntpack hunt` over logs whose events fill a hunt's table but leave empty every column that
 * the hunt compares, such as a Zeek conn log hunted with domains. Such a hunt compared nothing,
 * so it does not count as run, and a run in which no hunt ran is incomplete.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import { runCli } from '../helpers/cli.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CONN_LOG = repoFile('test/fixtures/logs/zeek/renamed_conn.log');
const HTTP_LOG = repoFile('test/fixtures/logs/zeek/http.log');

const HASH = 'ab'.repeat(32);

/** A connection without a file hash, and the same connection with one. */
const CEF_WITHOUT_HASH =
  'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50000 dst=192.0.2.50 dpt=443 rt=1659523775038';
const CEF_WITH_HASH = `${CEF_WITHOUT_HASH} fileHash=${'cd'.repeat(32)}`;

const EARLIER_REPORT = '# Hunt report\n\nThe earlier run.\n';

/** Writes a pack folder that contains only pack.json with the forms of `hunts`, as build writes it. */
async function writePack(folder: string, hunts: Hunt[]): Promise<void> {
  await mkdir(folder, { recursive: true });
  const entries = hunts.map((hunt) => ({ id: hunt.id, form: hunt }));
  await writeFile(join(folder, 'pack.json'), JSON.stringify({ hunts: entries }));
  await writeFile(join(folder, 'hunt-report.md'), EARLIER_REPORT);
}

function huntsOf(entries: Array<[string, string]>, family: string): Hunt[] {
  return buildHunts(makeIndicators(entries, family), {
    family,
    familySlug: family.toLowerCase(),
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });
}

interface HuntJson {
  complete: boolean;
  huntsRun: string[];
  skipped: Array<{ huntId: string; reason: string }>;
  sourcesWithoutHunts: string[];
}

describe('huntpack hunt with empty compared columns', () => {
  let folder: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-empty-columns');
    // A domain that the http log does not name, so that a complete run finds nothing.
    await writePack(join(folder, 'domains'), huntsOf([['domain', 'c2.badhost.test']], 'Remcos'));
    await writePack(join(folder, 'hashes'), huntsOf([['sha256', HASH]], 'Kuiper'));
    await writePack(join(folder, 'addresses'), huntsOf([['ip', '198.51.100.23']], 'Vidar'));
    await writeFile(join(folder, 'no-hash.log'), `${CEF_WITHOUT_HASH}\n`);
    await writeFile(join(folder, 'one-hash.log'), `${CEF_WITHOUT_HASH}\n${CEF_WITH_HASH}\n`);
  });

  it('fails domain pack over conn log', async () => {
    const result = await runCli(['hunt', '--pack', 'domains', CONN_LOG], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: no hunt ran, because the logs contain only CommonSecurityLog (3 events), ' +
        'and no CommonSecurityLog event has a value in DestinationHostName or RequestURL, ' +
        'which the hunts compare. Nothing was checked.\n',
    );
    assert.match(result.stderr, /hunts run: 0; /);
    assert.match(
      result.stderr,
      /the hunt report was not written because no event of these logs has a value in the columns that the hunts compare/,
    );
    assert.equal(await readFile(join(folder, 'domains', 'hunt-report.md'), 'utf8'), EARLIER_REPORT);

    const json = await runCli(['hunt', '--json', '--pack', 'domains', CONN_LOG], { cwd: folder });
    assert.equal(json.code, 2, json.stderr);
    const parsed = JSON.parse(json.stdout) as HuntJson;
    assert.equal(parsed.complete, false);
    assert.deepEqual(parsed.huntsRun, []);
    const csl = parsed.skipped.find((hunt) => hunt.huntId === 'remcos-sentinel-csl-domain');
    assert.equal(
      csl?.reason,
      'The logs hold CommonSecurityLog events, but none has a value in DestinationHostName or ' +
        'RequestURL, the columns that this hunt compares.',
    );
  });

  it('runs domain pack over http log', async () => {
    const result = await runCli(['hunt', '--json', '--pack', 'domains', HTTP_LOG], {
      cwd: folder,
    });
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as HuntJson;
    assert.equal(parsed.complete, true);
    assert.deepEqual(parsed.huntsRun, ['remcos-sentinel-csl-domain']);
    assert.match(result.stderr, /wrote hunt report /);
    const report = await readFile(join(folder, 'domains', 'hunt-report.md'), 'utf8');
    assert.match(report, /- Hunts run: 1; /);
  });

  it('runs hash pack over CEF with fileHash', async () => {
    const result = await runCli(['hunt', '--json', '--pack', 'hashes', 'one-hash.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as HuntJson;
    assert.equal(parsed.complete, true);
    assert.deepEqual(parsed.huntsRun, ['kuiper-sentinel-csl-hash']);
  });

  it('fails hash pack over CEF without fileHash', async () => {
    const result = await runCli(['hunt', '--pack', 'hashes', 'no-hash.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stdout,
      /^Incomplete hunt: no hunt ran, because .* no CommonSecurityLog event has a value in FileHash, which the hunts compare\. Nothing was checked\.\n$/,
    );
  });

  it('fails hash pack over placeholder hashes', async () => {
    const placeholders = ['-', 'N/A', ' none '].map(
      (value) => `${CEF_WITHOUT_HASH} fileHash=${value}`,
    );
    await writeFile(join(folder, 'dash-hash.log'), `${placeholders.join('\n')}\n`);
    const result = await runCli(['hunt', '--pack', 'hashes', 'dash-hash.log'], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stdout, /^Incomplete hunt: .* has a value in FileHash/);
  });

  it('fails hash pack over conn log', async () => {
    const result = await runCli(['hunt', '--pack', 'hashes', CONN_LOG], { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: no hunt ran, because the logs contain only CommonSecurityLog (3 events), ' +
        'and no CommonSecurityLog event has a value in FileHash, which the hunts compare. ' +
        'Nothing was checked.\n',
    );
  });

  it('names the pack that ran no hunt', async () => {
    const args = ['hunt', '--pack', 'addresses', '--pack', 'domains', CONN_LOG];
    const result = await runCli(args, { cwd: folder });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stdout,
      'Incomplete hunt: no hunt of pack domains (Remcos) ran, because no CommonSecurityLog ' +
        'event has a value in DestinationHostName or RequestURL, which its hunts compare, and ' +
        'the logs contain only CommonSecurityLog (3 events). Its indicators were not checked.\n',
    );
    assert.match(
      result.stderr,
      /no hunt reports were written because no hunt of pack domains \(Remcos\) ran on the events of these logs/,
    );

    const json = await runCli(['hunt', '--json', ...args.slice(1)], { cwd: folder });
    const parsed = JSON.parse(json.stdout) as HuntJson;
    assert.equal(parsed.complete, false);
    assert.deepEqual(parsed.sourcesWithoutHunts, ['pack domains (Remcos)']);
    assert.ok(
      parsed.huntsRun.includes('vidar-sentinel-csl-address-only'),
      parsed.huntsRun.join(', '),
    );
  });

  it('runs hash pack on parsing threads', async () => {
    // Over 32 MB, so that the file is cut into ranges for the parsing threads, with the only
    // file hash near the end, in a range of its own.
    const line = `${CEF_WITHOUT_HASH}\n`;
    const lines = Math.ceil((33 * 1024 * 1024) / line.length);
    const big = join(folder, 'big.log');
    await writeFile(big, line.repeat(lines) + `${CEF_WITH_HASH}\n`);
    const args = ['hunt', '--json', '--pack', 'hashes', big];
    const threaded = await runCli([...args, '--threads', '2'], { cwd: folder });
    const single = await runCli([...args, '--threads', '0'], { cwd: folder });
    assert.equal(threaded.code, 0, threaded.stderr);
    assert.equal(single.code, 0, single.stderr);
    const parsed = JSON.parse(threaded.stdout) as HuntJson;
    assert.deepEqual(parsed.huntsRun, ['kuiper-sentinel-csl-hash']);
    assert.deepEqual(parsed, JSON.parse(single.stdout));
  });
});
