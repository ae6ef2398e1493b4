import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { link, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');
/** A RatonRAT C2 of the bundled ThreatFox export, planted as the destination of one line. */
const C2 = { address: '158.160.75.185', port: 40432 };

describe('huntpack hunt with one file named twice', () => {
  let folder: string;
  let log: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-same-file');
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    log = join(folder, 'fw.log');
    const line = lines[0]!.replace('dst=- dpt=9049', `dst=${C2.address} dpt=${C2.port}`);
    await writeFile(log, [...lines, line].join('\n') + '\n');
    await symlink(log, join(folder, 'link.log'));
    await link(log, join(folder, 'hard.log'));
  });

  it('reads a symlinked file once', async () => {
    const result = await runCli(['hunt', '--feed', FEED, '--year', '2024', 'fw.log', 'link.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /records read 6 = events parsed 6 \+ rejected 0 \+ skipped 0/);
    assert.match(result.stderr, /; hits: 1; events matched: 1; findings: 2\n/);
    assert.match(
      result.stderr,
      /huntpack: "fw\.log" and "link\.log" are the same file, so it was read once, as "fw\.log"\.\n/,
    );
  });

  it('reads a glob and names that meet once', async () => {
    const result = await runCli(
      ['hunt', '--feed', FEED, '--year', '2024', '--json', '*.log', './fw.log', 'fw.log'],
      { cwd: folder },
    );
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      stats: {
        files: Array<{ file: string }>;
        sameFiles: Array<{ file: string; names: string[] }>;
      };
      totals: { hits: number };
    };
    assert.deepEqual(
      json.stats.files.map((file) => relative(folder, file.file)),
      ['fw.log'],
    );
    assert.equal(json.totals.hits, 1);
    assert.deepEqual(
      json.stats.sameFiles.map(({ file, names }) => ({
        file: relative(folder, file),
        names: names.map((name) => relative(folder, name)),
      })),
      [{ file: 'fw.log', names: ['fw.log', 'hard.log', 'link.log'] }],
    );
    assert.match(
      result.stderr,
      /huntpack: "fw\.log", "hard\.log" and "link\.log" are the same file, so it was read once, as "fw\.log"\.\n/,
    );
  });

  it('keeps distinct files with the same content apart', async (t) => {
    const copy = join(makeTempDir('cli-hunt-copy', t), 'copy.log');
    await writeFile(copy, await readFile(log));
    const result = await runCli(['hunt', '--feed', FEED, '--year', '2024', log, copy]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /records read 12 = /);
    assert.doesNotMatch(result.stderr, /same file/);
  });
});
