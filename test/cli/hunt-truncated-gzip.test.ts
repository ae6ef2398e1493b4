/**
 * The "Incomplete hunt" line counts the events read from a log that failed part way, such as a
 * truncated gzip, instead of saying that none were read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",' +
  '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags",' +
  '"anonymous","reporter"';
const ROW =
  '"2025-04-11 20:39:25", "1", "146.56.205.231:8084", "ip:port", "botnet_cc", "elf.vshell", ' +
  '"None", "VShell", "", "100", "False", "None", "None", "0", "tester"';

function cef(index: number): string {
  return (
    `CEF:0|V|P|1|1|n|1|rt=${1785500000000 + index * 1000} src=10.0.${index % 250}.1 spt=1000 ` +
    `dst=203.0.113.${index % 250} dpt=443 msg=line ${index} of a log cut short in transit`
  );
}

test('incomplete line counts events of a truncated gzip', async (t) => {
  const folder = makeTempDir('truncated-gzip', t);
  const feed = join(folder, 'feed.csv');
  await writeFile(feed, `${HEADER}\n${ROW}\n`);

  const lines = Array.from({ length: 20000 }, (_, index) => cef(index));
  const whole = gzipSync(`${lines.join('\n')}\n`);
  const truncated = join(folder, 'fw.log.gz');
  await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  const other = join(folder, 'other.log');
  await writeFile(other, `${cef(1)}\n${cef(2)}\n`);

  const alone = await runCli(['hunt', '--feed', feed, truncated], { cwd: folder });
  assert.equal(alone.code, 2, alone.stderr);
  assert.match(alone.stderr, /TRUNCATED_GZIP/);
  assert.match(
    alone.stdout,
    /^Incomplete hunt: 1 log input failed: fw\.log\.gz \(TRUNCATED_GZIP\)\. [1-9]\d* events were read from the failed input\. None of the events read matched an indicator/m,
  );

  const both = await runCli(['hunt', '--feed', feed, truncated, other], { cwd: folder });
  assert.equal(both.code, 2, both.stderr);
  assert.match(
    both.stdout,
    /^Incomplete hunt: 1 log input failed: fw\.log\.gz \(TRUNCATED_GZIP\)\. 2 events were read from the rest, and [1-9]\d* from the failed input\. /m,
  );
});
