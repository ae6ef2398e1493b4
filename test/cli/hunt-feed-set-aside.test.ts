import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const CEF = repoFile('test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt');
/** A RatonRAT C2 of the bundled ThreatFox export, planted as the destination of a CEF line. */
const C2 = { address: '158.160.75.185', port: 40432 };

interface SetAsideJson {
  type: string;
  value: string;
  family: string | null;
  list: string;
  listVersion: string | number;
  entry: string;
  reason: string;
}

describe('huntpack hunt --feed set-aside indicators', () => {
  let folder: string;
  let log: string;
  let feed: string;

  before(async () => {
    folder = makeTempDir('cli-hunt-set-aside');
    const lines = (await readFile(CEF, 'utf8')).trimEnd().split('\n');
    log = join(folder, 'fw.log');
    const line = lines[0]!.replace('dst=- dpt=9049', `dst=${C2.address} dpt=${C2.port}`);
    await writeFile(log, [...lines, line].join('\n') + '\n');
    // One indicator to hunt, and two that the built-in allowlists set aside.
    feed = join(folder, 'feed.txt');
    await writeFile(
      feed,
      `C2 at ${C2.address}:${C2.port}. It checks its address via ident[.]me and calls 10.1.2.3:443.\n`,
    );
  });

  it('names them on stderr and in the report', async () => {
    const report = join(folder, 'report.md');
    const args = ['hunt', '--feed', feed, '--family', 'X', '--year', '2024'];
    const result = await runCli([...args, '--report', report, log]);
    assert.equal(result.code, 0, result.stderr);

    assert.match(result.stderr, /accepted 3 = in hunts 1 \+ set aside by allowlists 2 \+/);
    assert.match(
      result.stderr,
      /huntpack: the built-in allowlists set aside 2 indicators, so no hunt looks for them/,
    );
    assert.match(
      result.stderr,
      /\n {2}domain ident\.me: whats-my-ip \(version \w+\), entry ident\.me: a what-is-my-IP service/,
    );
    assert.match(
      result.stderr,
      /\n {2}ip:port 10\.1\.2\.3:443: rfc1918 \(version \w+\), entry 10\.0\.0\.0\/8: a private address/,
    );
    assert.match(
      result.stderr,
      /\n {2}The hunt report \(--report\) lists all 2 with the list, entry and reason\.\n/,
    );

    const text = await readFile(report, 'utf8');
    assert.match(text, /\n## Set aside by allowlists: 2 indicators\n/);
    assert.match(
      text,
      /\n\| domain \| `ident\[\.\]me` \| whats-my-ip \(version \w+\) \| `ident\[\.\]me` \| /,
    );
    assert.match(text, /\n\| ip:port \| `10\[\.\]1\[\.\]2\[\.\]3:443` \| rfc1918 /);
    assert.doesNotMatch(text, /ident\.me/);
    // The hunted indicator still has its finding.
    assert.match(text, /## Findings: 1 hit\n/);
  });

  it('names a live value that a defanged text leaves out', async () => {
    const text = join(folder, 'defanged.txt');
    await writeFile(
      text,
      `C2 at ${C2.address.replaceAll('.', '[.]')}:${C2.port}.\nThe school WRCCDC.CPP.EDU hosted it.\n`,
    );
    const args = ['hunt', '--feed', text, '--family', 'X', '--year', '2024', log];
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /info TEXT_CANDIDATES_DROPPED: .*"WRCCDC\[\.\]CPP\[\.\]EDU" \(line 2\)/,
    );
    assert.match(result.stderr, /dropped 1 \(1 fanged-in-defanged-text\)/);
  });

  it('lists them in --json', async () => {
    const args = ['hunt', '--feed', feed, '--family', 'X', '--year', '2024', '--json', log];
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);

    const { setAside } = JSON.parse(result.stdout) as { setAside: SetAsideJson[] };
    assert.deepEqual(
      setAside.map(({ type, value, family, list, entry }) => ({
        type,
        value,
        family,
        list,
        entry,
      })),
      [
        { type: 'domain', value: 'ident.me', family: 'X', list: 'whats-my-ip', entry: 'ident.me' },
        {
          type: 'ip:port',
          value: '10.1.2.3:443',
          family: 'X',
          list: 'rfc1918',
          entry: '10.0.0.0/8',
        },
      ],
    );
    for (const item of setAside) {
      assert.notEqual(item.listVersion, undefined, item.value);
      assert.notEqual(item.reason, '', item.value);
    }
  });

  it('names five on stderr and counts the rest', async () => {
    const many = join(folder, 'many.txt');
    const privates = Array.from({ length: 7 }, (_, index) => `10.0.0.${index + 1}:443`);
    await writeFile(many, `C2 at ${C2.address}:${C2.port}, and ${privates.join(', ')}.\n`);
    const args = ['hunt', '--feed', many, '--family', 'X', '--year', '2024', log];
    const result = await runCli(args);
    assert.equal(result.code, 0, result.stderr);

    assert.equal(result.stderr.match(/\n {2}ip:port 10\.0\.0\.\d:443: rfc1918/g)?.length, 5);
    assert.match(
      result.stderr,
      /\n {2}\.\.\. and 2 more\. Pass --report FILE to list all 7 in a hunt report, or --json\.\n/,
    );
  });

  it('names none without allowlists', async () => {
    const report = join(folder, 'no-allowlists.md');
    const args = ['hunt', '--feed', feed, '--family', 'X', '--no-builtin-allowlists'];
    const result = await runCli([...args, '--year', '2024', '--report', report, log]);
    assert.equal(result.code, 0, result.stderr);

    assert.match(result.stderr, /accepted 3 = in hunts 3 \+ set aside by allowlists 0 \+/);
    assert.doesNotMatch(result.stderr, /allowlists set aside/);
    assert.doesNotMatch(await readFile(report, 'utf8'), /Set aside/);
  });
});
