import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { runCli } from '../helpers/cli.js';
import { threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FAMILY = { malpedia: 'win.dcrat', name: 'DCRat', threatType: 'botnet_cc' };

test('report tables copy values clean', async (t) => {
  const folder = makeTempDir('report-code-spans', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    threatFoxCsv(FAMILY, [
      ['http://103.27.156.239/_/', 'url'],
      ['[2a02:c0:ac::e51:1]:443', 'ip:port'],
      ['https://sync.1rx.io/usersync', 'url'],
      ['https://t.me/', 'url'],
    ]),
  );
  const out = join(folder, 'packs');
  const result = await runCli(['build', feed, '--out', out]);
  assert.equal(result.code, 0, result.stderr);

  const report = await readFile(join(out, 'dcrat', 'report.md'), 'utf8');
  const rows = report.split('\n').filter((line) => line.startsWith('| ') && line.endsWith(' |'));
  const cells = rows.flatMap((line) => line.split(' | '));
  // The Indicators table.
  assert.ok(cells.includes('`hxxp://103[.]27[.]156[.]239/_/`'), report);
  assert.ok(cells.includes('`[2a02[:]c0[:]ac[:][:]e51[:]1]:443`'), report);
  // The table of indicators hunted on the exact value only, with its entry.
  const exact = rows.filter((line) => line.includes('| tranco10k |'));
  assert.equal(exact.length, 1, report);
  assert.ok(exact[0]!.includes('| `hxxps://sync[.]1rx[.]io/usersync` | tranco10k | `1rx[.]io` |'));
  // The table of indicators set aside.
  const setAside = rows.filter((line) => line.includes('| trusted-platforms'));
  assert.equal(setAside.length, 1, report);
  assert.ok(setAside[0]!.includes('| `hxxps://t[.]me/` |'), setAside[0]);
  assert.ok(setAside[0]!.includes('| `t[.]me` |'), setAside[0]);
  assert.doesNotMatch(rows.join('\n'), /\\_|\\\[/);
});
