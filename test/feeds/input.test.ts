import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FeedParseError } from '../../src/errors.js';
import type { TextLine } from '../../src/feeds/input.js';
import { openInputs, peekInput, readLines, readText } from '../../src/feeds/input.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const FIXTURES = 'test/fixtures/threatfox';
const folder = makeTempDir('input');

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

async function linesOf(path: string): Promise<TextLine[]> {
  const opened = await openInputs(path);
  const lines: TextLine[] = [];
  for await (const line of readLines(opened.inputs[0]!)) lines.push(line);
  await opened.close();
  return lines;
}

test('readLines splits LF and CRLF lines alike', async () => {
  const lf = await linesOf(writeTemp('lf.txt', 'a\nb\n'));
  const crlf = await linesOf(writeTemp('crlf.txt', 'a\r\nb\r\n'));
  assert.deepEqual(lf, [
    { line: 'a', lineNumber: 1 },
    { line: 'b', lineNumber: 2 },
  ]);
  assert.deepEqual(crlf, lf);
});

test('readLines keeps a last line without a newline', async () => {
  const lines = await linesOf(writeTemp('no-final.txt', 'a\r\nlast'));
  assert.deepEqual(lines.at(-1), { line: 'last', lineNumber: 2 });
});

test('readLines drops a byte order mark and keeps empty lines', async () => {
  const lines = await linesOf(writeTemp('bom.txt', '\uFEFFfirst\n\nthird\n'));
  assert.deepEqual(
    lines.map((entry) => entry.line),
    ['first', '', 'third'],
  );
});

test('readLines decodes a character split across chunks', async () => {
  const text = `${'x'.repeat(300_000)}é€\n`;
  const lines = await linesOf(writeTemp('multibyte.txt', text));
  assert.equal(lines[0]!.line.slice(-2), 'é€');
});

test('readLines rejects invalid UTF-8 with the file name', async () => {
  const path = writeTemp('latin1.txt', Buffer.from([0x61, 0x0a, 0xe9, 0x0a]));
  await assert.rejects(linesOf(path), (error: unknown) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'INVALID_UTF8');
    assert.match(error.message, /latin1\.txt/);
    return true;
  });
});

test('openInputs gunzips by magic bytes, not by name', async () => {
  const plain = readFileSync(repoFile(`${FIXTURES}/recent-15-columns.csv`), 'utf8');
  for (const name of ['recent.csv.gz', 'gzip-named-plain.csv']) {
    const opened = await openInputs(repoFile(`${FIXTURES}/${name}`));
    assert.equal(await readText(opened.inputs[0]!), plain.replace(/^\uFEFF/, ''), name);
  }
});

test('truncated gzip fails with TRUNCATED_GZIP', async () => {
  const path = repoFile(`${FIXTURES}/truncated.csv.gz`);
  await assert.rejects(linesOf(path), (error: unknown) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'TRUNCATED_GZIP');
    assert.match(error.message, /truncated\.csv\.gz/);
    return true;
  });
});

test('truncated gzip yields no cut-off line', async () => {
  const body = Array.from({ length: 50_000 }, (_, index) => `line ${index}`).join('\n');
  const gz = gzipSync(body);
  const path = writeTemp('cut.gz', gz.subarray(0, Math.floor(gz.length * 0.7)));
  const seen: string[] = [];
  const opened = await openInputs(path);
  await assert.rejects(async () => {
    for await (const { line } of readLines(opened.inputs[0]!)) seen.push(line);
  }, /Truncated gzip/);
  assert.ok(seen.length > 0);
  assert.ok(seen.every((line, index) => line === `line ${index}`));
});

test('zip entries become inputs named archive!entry', async () => {
  const path = repoFile(`${FIXTURES}/archive.zip`);
  const opened = await openInputs(path);
  const names = opened.inputs.map((input) => input.name);
  assert.deepEqual(names, [`${path}!exports/recent.csv`, `${path}!api.json`]);
  const text = await readText(opened.inputs[1]!);
  assert.match(text, /^\{"query_status": "ok"/);
  await opened.close();
});

test('truncated zip fails with INVALID_ZIP', async () => {
  const zip = readFileSync(repoFile(`${FIXTURES}/archive.zip`));
  const path = writeTemp('cut.zip', zip.subarray(0, zip.length - 30));
  await assert.rejects(openInputs(path), (error: unknown) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'INVALID_ZIP');
    assert.match(error.message, /cut\.zip/);
    assert.doesNotMatch(error.message, /\.\./);
    return true;
  });
});

test('missing file fails with FILE_NOT_FOUND', async () => {
  await assert.rejects(openInputs(join(folder, 'absent.csv')), { code: 'FILE_NOT_FOUND' });
});

test('directory fails with INPUT_IS_DIRECTORY', async () => {
  await assert.rejects(openInputs(folder), { code: 'INPUT_IS_DIRECTORY' });
});

test('stdin reads plain, gzip and zip input', async () => {
  const plain = await openInputs('-', { stdin: Readable.from(Buffer.from('a\r\nb')) });
  assert.equal(plain.inputs[0]!.name, '-');
  assert.equal(await readText(plain.inputs[0]!), 'a\r\nb');

  const gz = await openInputs('-', { stdin: Readable.from(gzipSync('zipped\n')) });
  assert.equal(await readText(gz.inputs[0]!), 'zipped\n');

  const zip = readFileSync(repoFile(`${FIXTURES}/archive.zip`));
  const archive = await openInputs('-', { stdin: Readable.from(zip) });
  assert.deepEqual(
    archive.inputs.map((input) => input.name),
    ['-!exports/recent.csv', '-!api.json'],
  );
  await archive.close();
});

test('stdin input opens only once', async () => {
  const opened = await openInputs('-', { stdin: Readable.from(Buffer.from('x')) });
  await opened.inputs[0]!.open();
  await assert.rejects(opened.inputs[0]!.open(), { code: 'INPUT_REOPENED' });
});

test('peekInput replays the sample before the rest', async () => {
  const text = 'y'.repeat(200_000);
  const opened = await openInputs(writeTemp('peek.txt', text));
  const peeked = await peekInput(opened.inputs[0]!, 1000);
  assert.ok(peeked.sample.length >= 1000);
  assert.equal(await readText(peeked.input), text);
});

test('.gz name on plain data warns', async () => {
  const page = '<html><body>404 Not Found</body></html>\n';
  const path = writeTemp('feed.csv.gz', page);
  const opened = await openInputs(path);
  const issues = opened.issues ?? [];
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.code, 'NOT_GZIP_DATA');
  assert.equal(issues[0]?.severity, 'warning');
  assert.equal(issues[0]?.source?.file, path);
  assert.match(issues[0]?.message ?? '', /feed\.csv\.gz" is named \.gz but is not gzip data/);
  assert.match(issues[0]?.message ?? '', /starts with "<html><body>404 " \(bytes 3c 68 74 6d/);
  // The file is still read as it is, as detection by content would read it.
  assert.equal(await readText(opened.inputs[0]!), page);
});

test('.zip name on plain data warns', async () => {
  const path = writeTemp('feed.zip', 'report: evil[.]com\n');
  const opened = await openInputs(path);
  const issues = opened.issues ?? [];
  assert.deepEqual(
    issues.map((issue) => issue.code),
    ['NOT_ZIP_DATA'],
  );
  assert.match(issues[0]?.message ?? '', /is named \.zip but is not a zip archive/);
  assert.equal(await readText(opened.inputs[0]!), 'report: evil[.]com\n');
});

test('matching or empty data gives no name warning', async () => {
  const paths = [
    repoFile(`${FIXTURES}/recent.csv.gz`),
    repoFile(`${FIXTURES}/archive.zip`),
    repoFile(`${FIXTURES}/gzip-named-plain.csv`),
    writeTemp('empty.gz', ''),
    writeTemp('plain.txt', 'evil[.]com\n'),
  ];
  for (const path of paths) {
    const opened = await openInputs(path);
    assert.deepEqual(opened.issues ?? [], [], path);
    await opened.close();
  }
});
