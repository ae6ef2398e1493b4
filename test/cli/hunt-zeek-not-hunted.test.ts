/**
 * `huntpack hunt` over a Zeek log that local hunts do not read, such as x509.log, names the log
 * kind and the reason in place of the advice about a failed export.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { edgeHunts } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
];

/** A certificate of x509.log, which names no connection, with some of its fields. */
const X509 = [
  ...HEADER,
  '#path\tx509',
  '#fields\tts\tfingerprint\tcertificate.subject\tcertificate.issuer\tsan.dns',
  '1659523775.038\tf1e2d3\tCN=evil.example\tCN=evil.example\tevil.example',
].join('\n');

/** A connection to 203.0.113.7:443, an indicator of the edge hunts. */
const CONN = [
  ...HEADER,
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '1659523775.038\tC1\t10.1.1.1\t50000\t203.0.113.7\t443\ttcp',
].join('\n');

const NOT_HUNTED =
  /No event was read from ".*\/x509\.log": it is a Zeek x509 log, which local hunts do not read, because its records describe certificates without the connection that carried them\. The server name of each TLS connection is hunted in ssl\.log\./;

describe('huntpack hunt over Zeek logs not hunted', () => {
  async function hunt(logs: string[]) {
    const folder = makeTempDir('cli-hunt-zeek-not-hunted');
    const hunts = edgeHunts().map((hunt) => ({ id: hunt.id, form: hunt }));
    await writeFile(join(folder, 'pack.json'), JSON.stringify({ hunts }));
    await writeFile(join(folder, 'x509.log'), X509);
    await writeFile(join(folder, 'conn.log'), CONN);
    return runCli(['hunt', '--pack', '.', ...logs], { cwd: folder });
  }

  it('names x509 beside a hunted log', async () => {
    const result = await hunt(['conn.log', 'x509.log']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, NOT_HUNTED);
    assert.doesNotMatch(result.stderr, /export did not fail/);
    assert.match(result.stdout, /conn\.log:7/);
  });

  it('names x509 read alone', async () => {
    const result = await hunt(['x509.log']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, NOT_HUNTED);
    assert.match(result.stdout, /Incomplete hunt: 1 log input failed: x509\.log \(NO_EVENTS\)/);
  });
});
