import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { unknownFormatError } from '../../src/feeds/detect.js';
import type { FeedReadResult } from '../../src/feeds/read.js';
import { readFeeds } from '../../src/feeds/read.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const folder = makeTempDir('input-encoding');

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
  '"malware_alias","malware_printable","last_seen_utc","confidence_level","reference","tags",' +
  '"anonymous","reporter"\n';
const ROW =
  '"2026-04-10 00:00:00", "1", "evil-c2.xyz", "domain", "botnet_cc", "win.x", "None", "X", ' +
  '"", "100", "None", "c2", "0", "r"\n';

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

/** Returns the one error issue of a read that failed. */
function onlyError(result: FeedReadResult): { code: string; message: string; line?: number } {
  const errors = result.issues.filter((issue) => issue.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(result.issues));
  assert.equal(result.files[0]!.failed, true);
  return { code: errors[0]!.code, message: errors[0]!.message, line: errors[0]!.source?.line };
}

test('NUL byte fails every reader', async () => {
  // Past the 64 KiB sample that format detection reads, so each reader meets the NUL.
  const padding = '#\n'.repeat(40_000);
  const cases = [
    { name: 'late.csv', content: HEADER + padding + 'evil\u0000x.evil-c2.xyz\n', line: 40_002 },
    { name: 'late.txt', content: `${padding}evil\u0000x.evil-c2.xyz\n`, line: 40_001 },
    {
      name: 'late.ndjson',
      content: '{"ioc":"a.evil-c2.xyz","ioc_type":"domain"}\n'.repeat(2000) + '{"ioc":"\u0000"}\n',
      line: 2001,
    },
    {
      name: 'late.json',
      content: `{"type":"bundle","objects":[]${' '.repeat(70_000)}\u0000}`,
      line: 1,
    },
  ];
  for (const { name, content, line } of cases) {
    const path = writeTemp(`${name}.gz`, gzipSync(content));
    const error = onlyError(await readFeeds([path]));
    assert.equal(error.code, 'NUL_BYTE', name);
    assert.equal(error.line, line, name);
    const offset = Buffer.from(content).indexOf(0);
    assert.match(error.message, new RegExp(`at line ${line} \\(byte offset ${offset}\\)`), name);
  }
});

test('NUL byte in sample is named', async () => {
  const path = writeTemp('early.csv', `${HEADER}1,2\u00003\n`);
  const error = onlyError(await readFeeds([path]));
  assert.equal(error.code, 'NUL_BYTE');
  assert.equal(error.line, 2);
  assert.match(error.message, /NUL byte at line 2 \(byte offset \d+\)/);
});

test('UTF-16 feed is named as UTF-16', async () => {
  const text = HEADER + ROW;
  const little = Buffer.from(text, 'utf16le');
  const big = Buffer.from(little).swap16();
  const cases = [
    { name: 'le-bom.csv', bytes: [Buffer.from([0xff, 0xfe]), little], expected: 'UTF-16LE with' },
    { name: 'be-bom.csv', bytes: [Buffer.from([0xfe, 0xff]), big], expected: 'UTF-16BE with' },
    { name: 'le.csv', bytes: [little], expected: 'UTF-16LE without' },
    { name: 'be.txt', bytes: [big], expected: 'UTF-16BE without' },
  ];
  for (const { name, bytes, expected } of cases) {
    for (const format of [undefined, 'threatfox-csv' as const]) {
      const path = writeTemp(name, Buffer.concat(bytes));
      const error = onlyError(await readFeeds([path], { format }));
      assert.equal(error.code, 'UTF16_TEXT', `${name} ${format}`);
      assert.ok(error.message.includes(`is ${expected} a byte order mark`), error.message);
      assert.match(error.message, /iconv -f UTF-16[LB]E -t UTF-8/);
    }
  }
});

test('repeated byte order marks are removed', async () => {
  const bom = '\uFEFF';
  const cases = [
    { name: 'double.csv', content: bom + bom + HEADER + ROW },
    { name: 'triple.csv.gz', content: gzipSync(bom + bom + bom + HEADER + ROW) },
    { name: 'double.txt', content: `${bom}${bom}C2 evil-c2[.]xyz\n` },
    { name: 'double.json', content: `${bom}${bom}{"type":"bundle","id":"bundle--1","objects":[]}` },
  ];
  for (const { name, content } of cases) {
    const result = await readFeeds([writeTemp(name, content)]);
    const errors = result.issues.filter((issue) => issue.severity === 'error');
    assert.deepEqual(errors, [], name);
    assert.equal(result.files[0]!.failed, false, name);
  }
  const csv = await readFeeds([join(folder, 'double.csv')]);
  assert.equal(csv.files[0]!.accepted, 1);
});

test('binary sample without NUL is unknown', () => {
  const error = unknownFormatError('x.bin', '\uFFFD\uFFFDPNG');
  assert.equal(error.code, 'UNKNOWN_FEED_FORMAT');
});
