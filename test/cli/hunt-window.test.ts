import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
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

test('hunt without --now keeps later events', async (t) => {
  const { pack } = await setUp(t);
  // A firewall whose clock runs two hours ahead: its event lies after the current time.
  const ahead = Date.now() + 2 * 3_600_000;
  const log = join(makeTempDir('window-ahead', t), 'fw.log');
  await writeFile(log, EVENT.replace('rt=1614630954000', `rt=${ahead}`));
  const result = await runCli(['hunt', log, '--pack', pack, '--lookback', '1d', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const parsed = JSON.parse(result.stdout) as { findings: unknown[]; eventsOutsideWindow: number };
  assert.equal(parsed.findings.length, 2);
  assert.equal(parsed.eventsOutsideWindow, 0);

  const report = await runCli(['hunt', log, '--pack', pack, '--lookback', '1d']);
  assert.equal(report.code, 0, report.stderr);
  const text = await readFile(join(pack, 'hunt-report.md'), 'utf8');
  assert.match(text, /Lookback window: 1d \(events after \d{4}-\d\d-\d\dT[\d:.]+Z\)\./);
});
