/**
 * `huntpack hunt` over log files without read permission. Root reads any file whatever its mode,
 * so as root the command runs as the user nobody through runuser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { edgeHunts } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { readableByRunner, runUnprivileged, skipReason } from '../helpers/unprivileged.js';

/** A connection to 203.0.113.7:443, an indicator of the edge hunts. */
const HIT =
  'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.1.1.1 spt=50000 dst=203.0.113.7 dpt=443 act=allow rt=1659523775038\n';

test('hunt reports logs without read permission', { skip: skipReason() }, async (t) => {
  const folder = makeTempDir('hunt-unreadable', t);
  chmodSync(folder, 0o755);
  const pack = join(folder, 'pack');
  await mkdir(pack, { mode: 0o755 });
  const hunts = edgeHunts().map((hunt) => ({ id: hunt.id, form: hunt }));
  await writeFile(join(pack, 'pack.json'), JSON.stringify({ hunts }), { mode: 0o644 });
  const earlierReport = '# Hunt report: Remcos\n\nThe earlier run.\n';
  await writeFile(join(pack, 'hunt-report.md'), earlierReport, { mode: 0o644 });

  await writeFile(join(folder, 'a-readable.log'), HIT, { mode: 0o644 });
  await writeFile(join(folder, 'b-locked.log'), HIT, { mode: 0o644 });
  await writeFile(join(folder, 'c-locked.log.gz'), gzipSync(HIT), { mode: 0o644 });
  await writeFile(join(folder, 'd-readable.log'), HIT, { mode: 0o644 });
  chmodSync(join(folder, 'b-locked.log'), 0o000);
  chmodSync(join(folder, 'c-locked.log.gz'), 0o000);
  if (readableByRunner(join(folder, 'b-locked.log'))) {
    t.skip('a file of mode 000 is still readable by the user that runs the command');
    return;
  }

  const logs = ['a-readable.log', 'b-locked.log', 'c-locked.log.gz', 'd-readable.log'];
  const result = await runUnprivileged(
    ['hunt', '--pack', 'pack', '--fail-on-match', ...logs],
    folder,
  );

  // Exit code 1 would read as "findings" under --fail-on-match.
  assert.equal(result.code, 2, result.stderr);
  assert.doesNotMatch(result.stderr, /Unhandled|node:events|internal error/);
  for (const locked of ['b-locked.log', 'c-locked.log.gz']) {
    const path = join(folder, locked);
    assert.ok(
      result.stderr.includes(
        `${path}: error FILE_READ_FAILED: Failed to read "${path}": EACCES: permission denied. `,
      ),
      result.stderr,
    );
  }
  // The readable logs are still hunted and their findings printed.
  assert.match(result.stdout, /^TIME +HUNT +MATCHED ON +INDICATOR/);
  assert.match(result.stdout, /a-readable\.log:1/);
  assert.match(result.stdout, /d-readable\.log:1/);
  assert.doesNotMatch(result.stdout, /locked\.log(\.gz)?:\d/);
  // The last line names the inputs that failed in place of a clean result.
  assert.match(
    result.stdout,
    /\nIncomplete hunt: 2 log inputs failed: b-locked\.log \(FILE_READ_FAILED\), c-locked\.log\.gz \(FILE_READ_FAILED\)\. 2 events were read from the rest\. The findings above come from the events that could be read\.\n$/,
  );
  assert.match(result.stderr, /records read 2 = events parsed 2 \+ rejected 0/);
  // A run that exits 2 leaves the earlier report as it was.
  assert.match(result.stderr, /hunt report was not written because 2 log inputs could not be read/);
  assert.doesNotMatch(result.stderr, /wrote hunt report/);
  assert.equal(await readFile(join(pack, 'hunt-report.md'), 'utf8'), earlierReport);
  assert.deepEqual((await readdir(pack)).sort(), ['hunt-report.md', 'pack.json']);
});
