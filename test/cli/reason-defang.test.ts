import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'node:test';
import { runCli } from '../helpers/cli.js';
import { threatFoxCsv } from '../helpers/feed-and-hunt.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FAMILY = { malpedia: 'win.dcrat', name: 'DCRat', threatType: 'botnet_cc' };

test('reasons name hosts defanged', async (t) => {
  const folder = makeTempDir('reason-defang', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(
    feed,
    threatFoxCsv(FAMILY, [
      // Hunted on the exact value only: the reason names the popular host and the Azure address.
      ['https://sync.1rx.io/usersync', 'url'],
      ['http://13.86.36.66:9049/pma/index.php', 'url'],
      // Set aside: the reason names the host of a URL with no path.
      ['https://image6.pubmatic.com/', 'url'],
    ]),
  );
  const out = join(folder, 'packs');
  const result = await runCli(['build', feed, '--out', out]);
  assert.equal(result.code, 0, result.stderr);

  const csv = await readFile(join(out, 'dcrat', 'indicators.csv'), 'utf8');
  const rows = csv.trimEnd().split('\r\n').slice(1);
  assert.equal(rows.length, 3, csv);
  for (const live of ['sync.1rx.io', '1rx.io', '13.86.36.66', 'image6.pubmatic.com']) {
    assert.ok(!csv.includes(live), `indicators.csv has the live value ${live}:\n${csv}`);
  }
  assert.match(csv, /the host sync\[\.\]1rx\[\.\]io is /);
  assert.match(csv, /the host 13\[\.\]86\[\.\]36\[\.\]66 is /);
  assert.match(csv, /every connection to its host image6\[\.\]pubmatic\[\.\]com,/);

  // The report's queries carry live values; its tables do not.
  const report = await readFile(join(out, 'dcrat', 'report.md'), 'utf8');
  const tables = report.split('\n').filter((line) => line.startsWith('|'));
  assert.ok(
    tables.some((line) => line.includes('image6[.]pubmatic[.]com,')),
    report,
  );
  for (const live of ['sync.1rx.io', '13.86.36.66', 'image6.pubmatic.com']) {
    const rows = tables.filter((line) => line.includes(live));
    assert.deepEqual(rows, [], `report.md tables have the live value ${live}`);
  }
});
