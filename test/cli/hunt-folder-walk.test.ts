/**
 * `huntpack hunt` over folders and glob patterns: a link whose target is missing fails the
 * run, and hidden entries and links to a parent folder that the walk skips are named.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FEED = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
const CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');

interface HuntJson {
  complete: boolean;
  failedInputs: Array<{ code: string; message: string; source: { file: string } }>;
  stats: {
    files: Array<{ file: string }>;
    hiddenEntries: string[];
    sameFiles: Array<{ file: string; names: string[] }>;
    loopLinks: string[];
  };
}

describe('huntpack hunt folder walk', () => {
  let root: string;

  before(async () => {
    root = makeTempDir('cli-hunt-folder-walk');
    const log = await readFile(CEF);
    for (const name of ['links', 'hidden', 'only-hidden']) await mkdir(join(root, name));
    await writeFile(join(root, 'links', 'a.log'), log);
    await symlink(join(root, 'gone.log'), join(root, 'links', 'b.log'));
    await writeFile(join(root, 'hidden', 'fw.log'), log);
    await writeFile(join(root, 'hidden', '.fw-old.log'), log);
    await mkdir(join(root, 'hidden', '.archive'));
    await writeFile(join(root, 'hidden', '.archive', 'fw.log'), log);
    await writeFile(join(root, 'only-hidden', '.fw.log'), log);
    await mkdir(join(root, 'loops', 'sub'), { recursive: true });
    await writeFile(join(root, 'loops', 'a.log'), log);
    await writeFile(join(root, 'loops', 'sub', 'b.log'), log);
    await symlink('..', join(root, 'loops', 'sub', 'up'));
    await symlink('.', join(root, 'loops', 'self'));
  });

  async function hunt(input: string): Promise<{ code: number; stderr: string; json: HuntJson }> {
    const args = ['hunt', '--feed', FEED, '--year', '2024', '--json', input];
    const result = await runCli(args, { cwd: root });
    return {
      code: result.code,
      stderr: result.stderr,
      json: JSON.parse(result.stdout) as HuntJson,
    };
  }

  for (const input of ['links', 'links/*.log']) {
    it(`fails a dangling link in ${input}`, async () => {
      const { code, stderr, json } = await hunt(input);
      assert.equal(code, 2, stderr);
      assert.equal(json.complete, false);
      assert.deepEqual(
        json.failedInputs.map((issue) => [issue.code, relative(root, issue.source.file)]),
        [['PATH_NOT_FOUND', join('links', 'b.log')]],
      );
      assert.match(json.failedInputs[0]!.message, /points to ".*gone\.log", which does not exist/);
      assert.deepEqual(
        json.stats.files.map((file) => relative(root, file.file)),
        [join('links', 'a.log')],
      );
      assert.match(stderr, /error PATH_NOT_FOUND: The symlink ".*b\.log"/);
    });
  }

  it('names skipped hidden entries', async () => {
    const { code, stderr, json } = await hunt('hidden');
    assert.equal(code, 0, stderr);
    assert.equal(json.complete, true);
    assert.deepEqual(
      json.stats.files.map((file) => relative(root, file.file)),
      [join('hidden', 'fw.log')],
    );
    assert.deepEqual(
      json.stats.hiddenEntries.map((entry) => relative(root, entry)),
      [join('hidden', '.archive'), join('hidden', '.fw-old.log')],
    );
    assert.ok(json.stats.hiddenEntries[0]!.endsWith(sep), json.stats.hiddenEntries[0]);
    assert.match(
      stderr,
      /huntpack: warning: 2 hidden files or folders in the log folders were skipped: "hidden\/\.archive\/" and "hidden\/\.fw-old\.log"\. Name a hidden file or folder as an input to hunt it\.\n/,
    );
  });

  it('hunts a hidden folder named as input', async () => {
    const { code, stderr, json } = await hunt('hidden/.archive');
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      json.stats.files.map((file) => relative(root, file.file)),
      [join('hidden', '.archive', 'fw.log')],
    );
  });

  for (const input of ['loops', 'loops/**/*.log']) {
    it(`stops at parent links in ${input}`, async () => {
      const { code, stderr, json } = await hunt(input);
      assert.equal(code, 0, stderr);
      assert.equal(json.complete, true);
      assert.deepEqual(
        json.stats.files.map((file) => relative(root, file.file)),
        [join('loops', 'a.log'), join('loops', 'sub', 'b.log')],
      );
      assert.deepEqual(json.stats.sameFiles, []);
      assert.deepEqual(
        json.stats.loopLinks.map((link) => relative(root, link)),
        [join('loops', 'self'), join('loops', 'sub', 'up')],
      );
      assert.equal(stderr.match(/symlink/g)?.length, 1, stderr);
      assert.match(
        stderr,
        /huntpack: 2 symlinks in the log folders point to a folder that contains them, so the walk did not follow them: "loops\/self" and "loops\/sub\/up"\.\n/,
      );
    });
  }

  it('explains a folder of hidden files', async () => {
    const { code, json } = await hunt('only-hidden');
    assert.equal(code, 2);
    assert.equal(json.failedInputs[0]?.code, 'PATH_NOT_FOUND');
    assert.match(json.failedInputs[0].message, /contains only hidden entries/);
  });
});
