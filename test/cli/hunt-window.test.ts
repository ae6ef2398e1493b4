import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// One firewall event on 2021-03-01T20:35:54Z to an indicator of the example feed.
const EVENT =
  'CEF:0|Palo Alto Networks|PAN-OS|10.0|TRAFFIC|end|3|rt=1614630954000 src=10.1.1.5 spt=50000 dst=45.92.1.175 dpt=5220 act=allow\n';

async function setUp(t: TestContext): Promise<{ log: string; pack: string }> {
  const folder = makeTempDir('window', t);
  const log = join(folder, 'fw.log');
  await writeFile(log, EVENT);
  const built = await runCli([
    'build',
    repoFile('test/fixtures/packs/remcos-example.csv'),
    '--out',
    join(folder, 'packs'),
  ]);
  assert.equal(built.code, 0, built.stderr);
  return { log, pack: join(folder, 'packs', 'remcos') };
}

test('pack hunt finds events inside the lookback', async (t) => {
  const { log, pack } = await setUp(t);
  const result = await runCli([
    'hunt',
    log,
    '--pack',
    pack,
    '--lookback',
    '30d',
    '--now',
    '2021-03-15T00:00:00Z',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: unknown[] };
  assert.equal(parsed.findings.length, 2);
});

test('pack hunt leaves out events after now', async (t) => {
  const { log, pack } = await setUp(t);
  const result = await runCli([
    'hunt',
    log,
    '--pack',
    pack,
    '--lookback',
    '30d',
    '--now',
    '2021-02-15T00:00:00Z',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: unknown[] };
  assert.equal(parsed.findings.length, 0);
});

test('pack hunt leaves out events before the window', async (t) => {
  const { log, pack } = await setUp(t);
  const result = await runCli([
    'hunt',
    log,
    '--pack',
    pack,
    '--lookback',
    '7d',
    '--now',
    '2021-03-15T00:00:00Z',
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: unknown[] };
  assert.equal(parsed.findings.length, 0);
});
