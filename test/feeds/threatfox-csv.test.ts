import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HuntpackIssue } from '../../src/errors.js';
import { FeedParseError } from '../../src/errors.js';
import { readThreatFoxCsv } from '../../src/feeds/threatfox-csv.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { byId, codes, runReader } from './threatfox-helpers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const fixture = (name: string): string => repoFile(`test/fixtures/threatfox/${name}`);
const FABI = 'threatfox/fabi2708_csv-recent_2026-04-12.csv';
const CARVED = 'threatfox/carved1_csv-full-urls_2025-12-07.csv';
const folder = makeTempDir('csv');

function countCodes(issues: HuntpackIssue[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const issue of issues) counts[issue.code] = (counts[issue.code] ?? 0) + 1;
  return counts;
}

test('reads a 15-column CRLF export', { skip: skipWithoutShared(FABI) }, async () => {
  const run = await runReader(readThreatFoxCsv, sharedFile(FABI));
  assert.equal(run.rowsRead, 862);
  assert.equal(run.records.length, 862);
  assert.deepEqual(countCodes(run.reports), { LAST_SEEN_BEFORE_FIRST_SEEN: 23, TEST_ROW: 1 });

  const first = byId(run, '1784524');
  assert.equal(first.type, 'domain');
  assert.equal(first.value, 'call4-back.veq4tralis.in.net');
  assert.equal(first.source.line, 10);
  assert.deepEqual(first.context.family, {
    name: 'ClearFake',
    malpedia: 'js.clearfake',
    aliases: [],
  });
  assert.equal(first.context.isCompromised, false);
  assert.equal(first.context.confidence, 100);
  assert.deepEqual(first.context.references, []);
  assert.deepEqual(first.context.provenance?.sourceIds, ['threatfox:1784524']);
  assert.deepEqual(first.context.provenance?.origins, [
    { file: sharedFile(FABI), line: 10, id: '1784524' },
  ]);
  assert.equal(first.context.firstSeen?.toISOString(), '2026-04-12T04:49:28.000Z');
});

test('keeps defanged hxxps values verbatim', { skip: skipWithoutShared(FABI) }, async () => {
  const run = await runReader(readThreatFoxCsv, sharedFile(FABI));
  for (const id of ['1783456', '1783459']) {
    assert.match(byId(run, id).value, /^hxxps:\/\//, id);
  }
});

test('reads the type mix of the recent export', { skip: skipWithoutShared(FABI) }, async () => {
  const run = await runReader(readThreatFoxCsv, sharedFile(FABI));
  const types = new Map<string, number>();
  for (const record of run.records) types.set(record.type, (types.get(record.type) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(types), { domain: 647, url: 114, 'ip-port': 100, sha256: 1 });
});

test('reads a 14-column LF export', { skip: skipWithoutShared(CARVED) }, async () => {
  const run = await runReader(readThreatFoxCsv, sharedFile(CARVED));
  assert.equal(run.rowsRead, 12351);
  assert.equal(run.records.length, 12351);
  assert.deepEqual(countCodes(run.reports), { LAST_SEEN_BEFORE_FIRST_SEEN: 84 });
  const loki = byId(run, '56');
  assert.equal(loki.value, 'http://alphastand.top/alien/fre.php');
  assert.equal(loki.context.isCompromised, undefined);
  assert.equal(loki.context.lastSeen?.toISOString(), '2025-09-03T06:47:22.000Z');
  assert.deepEqual(loki.context.family?.aliases, ['Burkina', 'Loki', 'LokiBot', 'LokiPWS']);
  assert.equal(loki.context.family?.name, 'Loki Password Stealer (PWS)');
});

test('maps columns by name in both layouts', async () => {
  const run15 = await runReader(readThreatFoxCsv, fixture('recent-15-columns.csv'));
  const run14 = await runReader(readThreatFoxCsv, fixture('full-14-columns.csv'));
  assert.equal(byId(run15, '9000002').context.isCompromised, true);
  assert.deepEqual(byId(run15, '9000001').context.references, ['https://example.org/report']);
  assert.deepEqual(byId(run14, '8000002').context.tags, ['c2', 'dcrat']);
  assert.deepEqual(byId(run14, '8000002').context.references, []);
  assert.equal(byId(run14, '8000002').value, 'https://shop.example.com/x?a=1,2');
});

test('maps ThreatFox types to indicator types', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('recent-15-columns.csv'));
  assert.deepEqual(
    run.records.map((record) => record.type),
    ['ip-port', 'domain', 'url', 'sha256'],
  );
});

test('treats None and empty as absent', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('recent-15-columns.csv'));
  const domain = byId(run, '9000002');
  assert.deepEqual(domain.context.tags, []);
  assert.deepEqual(domain.context.family?.aliases, []);
  assert.equal(domain.context.lastSeen, undefined);
  const unknown = byId(run, '9000003');
  assert.deepEqual(unknown.context.family, { name: 'Unknown malware', aliases: [] });
  assert.deepEqual(unknown.context.tags, ['The Constant Company  LLC', 'c2']);
});

test('rejects bad rows with their line and keeps going', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('bad-rows.csv'));
  assert.equal(run.rowsRead, 5);
  assert.equal(run.records.length, 2);
  assert.deepEqual(codes(run.rejections), [
    'WRONG_FIELD_COUNT',
    'INVALID_CSV_ROW',
    'MISSING_FIELD',
  ]);
  assert.deepEqual(
    run.rejections.map((issue) => issue.source?.line),
    [11, 12, 13],
  );
  assert.match(run.rejections[0]!.message, /5 fields but the header has 15/);
  assert.deepEqual(run.reports, []);
});

test('fails on a header without a required column', async () => {
  await assert.rejects(runReader(readThreatFoxCsv, fixture('missing-column.csv')), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'MISSING_COLUMN');
    assert.equal(error.source?.line, 9);
    assert.match(error.message, /no ioc_type column/);
    assert.match(error.message, /missing-column\.csv/);
    return true;
  });
});

test('fails on a header with a column twice', async () => {
  const header = `${HEADER},"IOC_VALUE"`;
  const path = writeCsv('twice.csv', `${header}\n${row(1)}, "other.example.com"\n`);
  await assert.rejects(runReader(readThreatFoxCsv, path), (error) => {
    assert.ok(error instanceof FeedParseError);
    assert.equal(error.code, 'DUPLICATE_COLUMN');
    assert.equal(error.source?.line, 1);
    assert.match(error.message, /"ioc_value" \(column 3\) and "IOC_VALUE" \(column 16\)/);
    return true;
  });
});

test('passes an unknown type through verbatim', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  assert.equal(byId(run, '9000022').type, 'sha384_hash');
});

test('reads IPv6 ip:port without brackets verbatim', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  const record = byId(run, '9000023');
  assert.equal(record.type, 'ip-port');
  assert.equal(record.value, '2001:db8::5:40669');
});

test('clamps a confidence of 150 with a warning', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  assert.equal(byId(run, '9000021').context.confidence, 100);
  const warning = run.reports.find((issue) => issue.code === 'CONFIDENCE_OUT_OF_RANGE');
  assert.equal(warning?.source?.id, '9000021');
  assert.match(warning?.message ?? '', /"150"/);
});

test('reads ISO Z and UTC-suffixed times', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  const record = byId(run, '9000021');
  assert.equal(record.context.firstSeen?.toISOString(), '2026-07-24T13:50:06.000Z');
  assert.equal(record.context.lastSeen?.toISOString(), '2026-07-24T14:00:00.000Z');
});

test('warns on unreadable context and keeps the row', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  const record = byId(run, '9000022');
  assert.equal(record.context.lastSeen, undefined);
  assert.equal(record.context.confidence, undefined);
  assert.equal(record.context.isCompromised, undefined);
  const warnings = run.reports.filter((issue) => issue.source?.id === '9000022');
  assert.deepEqual(codes(warnings), ['INVALID_TIME', 'INVALID_CONFIDENCE', 'INVALID_FLAG']);
});

test('reads quoted quotes and a multi-line field', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  const record = byId(run, '9000024');
  assert.equal(record.value, 'https://example.com/a "quoted" path');
  assert.deepEqual(record.context.reporters, ['multi\nline reporter']);
  assert.equal(record.source.line, 13);
});

test('warns when the trailer count differs', async () => {
  const run = await runReader(readThreatFoxCsv, fixture('quirks.csv'));
  const mismatch = run.reports.find((issue) => issue.code === 'ENTRY_COUNT_MISMATCH');
  assert.match(mismatch?.message ?? '', /declares 3 entries, but 4 data rows/);
});

test('warns when the trailer is missing', async () => {
  const text = readFileSync(fixture('recent-15-columns.csv'), 'utf8');
  const path = join(folder, 'no-trailer.csv');
  writeFileSync(path, text.replace(/# Number of entries: 4$/, ''));
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.records.length, 4);
  assert.deepEqual(codes(run.reports), ['MISSING_TRAILER']);
});

/** Writes the 15-column fixture with its trailer, declaring `declared`, moved before `rowIndex`. */
function moveTrailer(name: string, rowIndex: number, declared: number): string {
  const lines = readFileSync(fixture('recent-15-columns.csv'), 'utf8').split('\r\n');
  const trailer = lines.findIndex((line) => line.startsWith('# Number of entries'));
  lines.splice(trailer, 1);
  lines.splice(rowIndex, 0, `# Number of entries: ${declared}`);
  const path = join(folder, name);
  writeFileSync(path, lines.join('\r\n'));
  return path;
}

test('warns on a row after the trailer', async () => {
  const run = await runReader(readThreatFoxCsv, moveTrailer('after-trailer.csv', 12, 3));
  assert.equal(run.rowsRead, 4);
  assert.equal(run.records.length, 4);
  assert.equal(byId(run, '9000004').source.line, 14);
  assert.deepEqual(codes(run.reports), ['ENTRY_COUNT_MISMATCH']);
  const [issue] = run.reports;
  assert.equal(issue!.source?.file, run.records[0]!.source.file);
  assert.equal(issue!.source?.line, 14);
  assert.match(issue!.message, /^1 data row follows the trailer on line 13, which declares 3 /);
});

test('counts rows after the trailer', async () => {
  const run = await runReader(readThreatFoxCsv, moveTrailer('two-after.csv', 10, 1));
  assert.equal(run.records.length, 4);
  assert.deepEqual(codes(run.reports), ['ENTRY_COUNT_MISMATCH']);
  assert.equal(run.reports[0]!.source?.line, 12);
  assert.match(run.reports[0]!.message, /^3 data rows follow the trailer on line 11,/);
});

test('second trailer counts the rows after the first', async () => {
  const path = moveTrailer('two-trailers.csv', 11, 2);
  writeFileSync(path, readFileSync(path, 'utf8') + '\r\n# Number of entries: 2');
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.records.length, 4);
  assert.deepEqual(run.reports, []);
});

/** Reads two exports joined with cat, each starting with `mark` (a byte order mark or nothing). */
async function readJoined(name: string, mark: string): ReturnType<typeof runReader> {
  const parts = ['full-14-columns.csv', 'recent-15-columns.csv'].map(
    (file) => mark + readFileSync(fixture(file), 'utf8'),
  );
  const path = join(folder, name);
  writeFileSync(path, parts.join('\n'));
  return runReader(readThreatFoxCsv, path);
}

test('reads two joined exports with their own headers', async () => {
  const run = await readJoined('joined.csv', '');
  assert.equal(run.records.length, 6);
  assert.deepEqual(run.reports, []);
  assert.equal(byId(run, '9000002').context.isCompromised, true);
});

test('joined exports keep the second byte order mark out', async () => {
  const run = await readJoined('joined-bom.csv', '\ufeff');
  assert.equal(run.rowsRead, 6);
  assert.equal(run.records.length, 6);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(run.reports, []);
});

test('reads a plain header row', async () => {
  const path = join(folder, 'plain-header.csv');
  writeFileSync(
    path,
    'ioc_id,ioc_value,ioc_type,first_seen_utc\n1,example.com,domain,2026-01-01 00:00:00\n',
  );
  const run = await runReader(readThreatFoxCsv, path);
  assert.deepEqual(
    run.records.map((record) => [record.source.id, record.value, record.source.line]),
    [['1', 'example.com', 2]],
  );
});

test('cut-off row does not swallow the next rows', async () => {
  const text = readFileSync(fixture('recent-15-columns.csv'), 'utf8');
  const lines = text.split('\r\n');
  lines[9] = lines[9]!.slice(0, 40);
  const path = join(folder, 'cut-row.csv');
  writeFileSync(path, lines.join('\r\n'));
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.rowsRead, 4);
  assert.equal(run.records.length, 3);
  assert.deepEqual(codes(run.rejections), ['INVALID_CSV_ROW']);
  assert.equal(run.rejections[0]!.source?.line, 10);
});

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags","anonymous","reporter"';

/** Returns a 15-column row whose fields are the defaults with `changes` applied. */
function row(id: number, changes: Record<number, string> = {}): string {
  const fields = [
    '2026-04-12 04:40:00',
    String(id),
    `c${id}.example.com`,
    'domain',
    'botnet_cc',
    'win.remcos',
    'None',
    'Remcos',
    '2026-04-12 05:00:00',
    '75',
    'False',
    'None',
    'c2',
    '0',
    'tester',
  ];
  for (const [index, value] of Object.entries(changes)) fields[Number(index)] = value;
  return fields.map((field) => `"${field.replaceAll('"', '""')}"`).join(', ');
}

function writeCsv(name: string, content: string): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

test('reads a quoted ", " inside a field', async () => {
  const path = writeCsv('separator.csv', `${HEADER}\n${row(1, { 14: 'a", "b' })}\n`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.deepEqual(run.rejections, []);
  assert.deepEqual(byId(run, '1').context.reporters, ['a", "b']);
});

test('reads multi-line rows across chunk boundaries', async () => {
  // About 1.4 MB, so several rows straddle the 256 KiB blocks the file is read in.
  const rows = Array.from({ length: 5000 }, (_, index) =>
    row(index + 1, { 14: `reporter ${index}\r\nsecond line ${'x'.repeat(100)}` }),
  );
  const path = writeCsv('multi-line.csv', `${HEADER}\r\n${rows.join('\r\n')}\r\n`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.rowsRead, 5000);
  assert.deepEqual(run.rejections, []);
  const last = byId(run, '5000');
  assert.equal(last.source.line, 2 + 4999 * 2);
  assert.deepEqual(last.context.reporters, [`reporter 4999\nsecond line ${'x'.repeat(100)}`]);
});

test('rejects a row with one field too few', async () => {
  const short = row(2).split(', ').slice(0, 14).join(', ');
  const path = writeCsv('short.csv', `${HEADER}\n${row(1)}\n${short}\n${row(3)}\n`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.rowsRead, 3);
  assert.deepEqual(codes(run.rejections), ['WRONG_FIELD_COUNT']);
  assert.deepEqual(run.rejections[0]!.source, { file: path, line: 3, id: '2' });
  assert.match(run.rejections[0]!.message, /^Row "\\"2026-04-12 04:40:00\\", \\"2\\", /);
  assert.match(run.rejections[0]!.message, /has 14 fields but the header has 15/);
});

test('a shifted field is given as no id', async () => {
  const shifted = `"2026-04-12 04:49:28", ${row(2)}`;
  const path = writeCsv('shifted.csv', `${HEADER}\n${shifted}\n`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.deepEqual(codes(run.rejections), ['WRONG_FIELD_COUNT']);
  assert.deepEqual(run.rejections[0]!.source, { file: path, line: 2 });
});

test('reads a file with a byte order mark', async () => {
  const path = writeCsv('bom.csv', `\uFEFF${HEADER}\n${row(1)}`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.records.length, 1);
  assert.equal(byId(run, '1').source.line, 2);
});

test('warns about a row tagged test and keeps it', async () => {
  const path = writeCsv('test-row.csv', `${HEADER}\n${row(1)}\n${row(2, { 12: 'Test,c2' })}\n`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.records.length, 2);
  assert.deepEqual(codes(run.reports), ['TEST_ROW']);
  assert.deepEqual(run.reports[0]!.source, { file: path, line: 3, id: '2' });
  assert.match(run.reports[0]!.message, /"c2\.example\.com" is tagged "test"/);
});

test('warns when last_seen is before first_seen', async () => {
  const early = row(1, { 8: '2026-04-12 03:00:00' });
  const path = writeCsv('last-before-first.csv', `${HEADER}\n${early}\n${row(2)}\n`);
  const run = await runReader(readThreatFoxCsv, path);
  assert.equal(run.records.length, 2);
  assert.equal(byId(run, '1').context.lastSeen?.toISOString(), '2026-04-12T03:00:00.000Z');
  assert.deepEqual(codes(run.reports), ['LAST_SEEN_BEFORE_FIRST_SEEN']);
  assert.equal(run.reports[0]!.source?.line, 2);
  assert.match(run.reports[0]!.message, /2026-04-12T03:00:00\.000Z is before the first_seen/);
});

test('shares repeated context between records', async () => {
  const path = writeCsv('shared.csv', `${HEADER}\n${row(1)}\n${row(2)}\n`);
  const run = await runReader(readThreatFoxCsv, path);
  const [first, second] = run.records;
  assert.equal(first!.context.family, second!.context.family);
  assert.equal(first!.context.tags, second!.context.tags);
  assert.equal(first!.context.firstSeen, second!.context.firstSeen);
  assert.ok(Object.isFrozen(first!.context.tags));
  assert.notEqual(first!.context.provenance, second!.context.provenance);
});

test('warns about missing context columns', async (t) => {
  const folder = makeTempDir('csv', t);
  const file = join(folder, 'no-confidence.csv');
  writeFileSync(
    file,
    [
      '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","malware_printable"',
      '"2026-04-12 04:49:28", "1", "evil.example", "domain", "botnet_cc", "Remcos"',
      '',
    ].join('\n'),
  );
  const run = await runReader(readThreatFoxCsv, file);
  assert.equal(run.records.length, 1);
  const warning = run.reports.find((issue) => issue.code === 'MISSING_CONTEXT_COLUMN');
  assert.ok(warning, 'no warning for the missing confidence_level column');
  assert.equal(warning.source?.line, 1);
  assert.match(warning.message, /no confidence_level column/);
  assert.match(warning.message, /--min-confidence/);
  assert.doesNotMatch(warning.message, /threat_type|malware_printable/);
});

test('full header has no context warning', async () => {
  const run = await runReader(
    readThreatFoxCsv,
    repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv'),
  );
  assert.equal(run.reports.filter((issue) => issue.code === 'MISSING_CONTEXT_COLUMN').length, 0);
});
