/**
 * `huntpack hunt` over folders and glob patterns that reach a folder without read permission:
 * the folder is named as a failed input instead of being skipped by the walk.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { edgeHunts } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readableByRunner, runUnprivileged, skipReason } from '../helpers/unprivileged.js';

/** A connection to 203.0.113.7:443, an indicator of the edge hunts. */
const HIT =
  'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50000 dst=203.0.113.7 dpt=443 act=allow rt=1659523775038\n';

interface HuntJson {
  complete: boolean;
  failedInputs: Array<{ code: string; message: string; source: { file: string } }>;
  stats: { files: Array<{ file: string }> };
}

describe('huntpack hunt over unreadable folders', { skip: skipReason() }, () => {
  let root: string;
  let lockedFolder: string;

  before(async () => {
    root = makeTempDir('cli-hunt-unreadable-folder');
    chmodSync(root, 0o755);
    const pack = join(root, 'pack');
    await mkdir(pack, { mode: 0o755 });
    const hunts = edgeHunts().map((hunt) => ({ id: hunt.id, form: hunt }));
    await writeFile(join(pack, 'pack.json'), JSON.stringify({ hunts }), { mode: 0o644 });
    for (const folder of ['logs', 'logs/locked', 'logs/open', 'top-locked']) {
      await mkdir(join(root, folder), { mode: 0o755 });
    }
    for (const file of ['logs/a.log', 'logs/locked/b.log', 'logs/open/c.log', 'top-locked/d.log']) {
      await writeFile(join(root, file), HIT, { mode: 0o644 });
    }
    lockedFolder = join(root, 'logs', 'locked');
    chmodSync(lockedFolder, 0o000);
    chmodSync(join(root, 'top-locked'), 0o000);
  });

  async function hunt(input: string): Promise<{ code: number; stderr: string; json: HuntJson }> {
    const result = await runUnprivileged(['hunt', '--pack', 'pack', '--json', input], root);
    return {
      code: result.code,
      stderr: result.stderr,
      json: JSON.parse(result.stdout) as HuntJson,
    };
  }

  for (const input of ['logs', 'logs/*/*.log']) {
    it(`fails a locked folder in ${input}`, async (t) => {
      if (readableByRunner(lockedFolder)) {
        t.skip('a folder of mode 000 is still readable by the user that runs the command');
        return;
      }
      const { code, stderr, json } = await hunt(input);
      assert.equal(code, 2, stderr);
      assert.equal(json.complete, false);
      assert.deepEqual(
        json.failedInputs.map((issue) => [issue.code, issue.source.file]),
        [['FOLDER_READ_FAILED', lockedFolder]],
      );
      assert.match(json.failedInputs[0]!.message, /EACCES: permission denied/);
      assert.ok(json.failedInputs[0]!.message.includes(`, found under "${join(root, input)}": `));
      const hunted = input === 'logs' ? ['logs/a.log', 'logs/open/c.log'] : ['logs/open/c.log'];
      assert.deepEqual(
        json.stats.files.map((file) => relative(root, file.file)),
        hunted,
      );
      assert.match(stderr, /error FOLDER_READ_FAILED: Failed to read the folder ".*locked"/);
    });
  }

  it('fails a locked folder named as input', async (t) => {
    if (readableByRunner(join(root, 'top-locked'))) {
      t.skip('a folder of mode 000 is still readable by the user that runs the command');
      return;
    }
    const { code, stderr, json } = await hunt('top-locked');
    assert.equal(code, 2, stderr);
    assert.equal(json.complete, false);
    assert.deepEqual(
      json.failedInputs.map((issue) => [issue.code, issue.source.file]),
      [['FOLDER_READ_FAILED', join(root, 'top-locked')]],
    );
    assert.doesNotMatch(stderr, /PATH_NOT_FOUND/);
    assert.doesNotMatch(json.failedInputs[0]!.message, /found under/);
  });

  it('names a folder that two inputs reach once', async (t) => {
    if (readableByRunner(lockedFolder)) {
      t.skip('a folder of mode 000 is still readable by the user that runs the command');
      return;
    }
    const result = await runUnprivileged(['hunt', '--pack', 'pack', 'logs', 'logs/*/*.log'], root);
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stderr.match(/error FOLDER_READ_FAILED/g)?.length, 1, result.stderr);
    assert.match(result.stderr, /because 1 log input could not be read in full/);
  });
});
