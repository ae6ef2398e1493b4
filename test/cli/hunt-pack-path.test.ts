/**
 * `huntpack hunt` given a pack's pack.json as --pack instead of its folder, and a pack's own
 * files given as logs.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { cefLine, threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('huntpack hunt --pack path', () => {
  let folder: string;
  let pack: string;

  before(async () => {
    folder = makeTempDir('hunt-pack-path');
    const feed = join(folder, 'feed.csv');
    const family = { malpedia: 'win.pl', name: 'Pl', threatType: 'botnet_cc' };
    await writeFile(feed, threatFoxCsv(family, [['203.0.113.7:443', 'ip:port']]));
    const out = join(folder, 'packs');
    const build = await runCli(['build', feed, '--out', out, '--no-builtin-allowlists']);
    assert.equal(build.code, 0, build.stderr);
    pack = join(out, 'pl');
    await writeFile(
      join(folder, 'fw.log'),
      `${cefLine(1, 'src=10.1.1.1 spt=50000 dst=203.0.113.7 dpt=443')}\n`,
    );
  });

  it('reads the folder of pack.json', async () => {
    const result = await runCli(['hunt', '--pack', join(pack, 'pack.json'), 'fw.log'], {
      cwd: folder,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /ENOTDIR/);
    assert.match(result.stderr, /hits: 1;/);
    assert.match(result.stderr, /wrote hunt report .*packs\/pl\/hunt-report\.md/);
  });

  for (const name of ['indicators.csv', 'pack.json']) {
    it(`names the pack of its ${name}`, async () => {
      const result = await runCli(['hunt', '--pack', pack, join(pack, name)], { cwd: folder });
      assert.equal(result.code, 2, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `error PACK_FILE_AS_LOG: ".*${name.replace('.', '\\.')}" is the ${name.replace('.', '\\.')} of the pack ".*packs/pl", not a log\\.`,
        ),
      );
      assert.match(result.stderr, /pass its folder with --pack .*packs\/pl and the logs after it/);
      assert.doesNotMatch(result.stderr, /UNKNOWN_LOG_FORMAT/);
    });
  }
});
