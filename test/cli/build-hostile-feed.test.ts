/**
 * Builds packs from a ThreatFox CSV whose values carry Markdown, HTML, line breaks and Unicode,
 * and checks report.md as a Markdown renderer would read it.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { findKqlBlocks } from '../../src/validate/markdown-blocks.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const BANNER = [
  '################################################################',
  '# ThreatFox IOCs: recent additions - CSV format                #',
  '# Last updated: 2026-04-12 04:49:28 UTC                        #',
  '#                                                              #',
  '# Terms Of Use: https://threatfox.abuse.ch/faq/#tos            #',
  '# For questions please contact threatfox [at] abuse.ch         #',
  '################################################################',
  '#',
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags","anonymous","reporter"',
];

const EVIL = 'Evil | <img src=x onerror=alert(1)> `RAT`';
const EVIL_SLUG = 'evil-img-src-x-onerror-alert-1-rat';

interface Row {
  id: number;
  value: string;
  type: string;
  threatType?: string;
  malpedia?: string;
  alias?: string;
  family?: string;
  compromised?: boolean;
}

const ROWS: Row[] = [
  {
    id: 1,
    value: 'http://a.com/`backtick`/<script>alert(1)</script>',
    type: 'url',
    alias: 'Alias*One*,<b>Two</b>',
  },
  { id: 2, value: 'http://b.com/a|b/[x](javascript:alert(1))/```/~~~', type: 'url' },
  { id: 3, value: 'http://c.com/"quoted"/*star*/_under_/', type: 'url' },
  // A quoted CSV field may hold a line break. This one tries to start a heading.
  { id: 4, value: '1.2.3.4:8080', type: 'ip:port', threatType: 'botnet_cc\n# injected heading' },
  { id: 5, value: 'http://e.com/\u202egpj.exe', type: 'url' },
  { id: 6, value: 'http://f.com/set-aside/<b>x</b>|y', type: 'url' },
  { id: 7, value: 'http://g.com/**bold**', type: 'url', compromised: true },
  { id: 8, value: 'http://h.com/ü/日本', type: 'url' },
  {
    id: 9,
    value: '2.3.4.5:443',
    type: 'ip:port',
    threatType: 'botnet_cc',
    malpedia: 'win.multi',
    family: 'Multi\nLine # Family',
  },
  {
    id: 10,
    value: '3.4.5.6:443',
    type: 'ip:port',
    threatType: 'botnet_cc',
    malpedia: 'win.unicode',
    family: 'Ünïcödé 日本語 🦊',
  },
];

function csvField(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function csvRow(row: Row): string {
  return [
    '2026-04-11 04:49:28',
    String(row.id),
    row.value,
    row.type,
    row.threatType ?? 'payload_delivery',
    row.malpedia ?? 'win.evil',
    row.alias ?? 'None',
    row.family ?? EVIL,
    '2026-04-12 04:49:29',
    '75',
    row.compromised ? 'True' : 'False',
    'None',
    'None',
    '0',
    'tester',
  ]
    .map(csvField)
    .join(', ');
}

/** Returns the lines of `markdown` outside fenced code blocks. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push(line);
  }
  return lines;
}

/** Removes the code spans of a line: runs of backticks of one length and the text between them. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(?<![`\\])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, '');
}

/** Counts the pipes that separate table cells, those without a backslash before them. */
function cellSeparators(line: string): number {
  return (line.match(/(?<!\\)\|/g) ?? []).length;
}

describe('report of a hostile feed', () => {
  let result: CliResult;
  let out: string;
  let report: string;

  before(async () => {
    const folder = makeTempDir('hostile');
    const feed = join(folder, 'hostile.csv');
    const rows = ROWS.map(csvRow);
    const trailer = `# Number of entries: ${rows.length}`;
    await writeFile(feed, [...BANNER, ...rows, trailer, ''].join('\n'));
    const allowlist = join(folder, 'allow.txt');
    await writeFile(allowlist, 'regex:set-aside\n');
    out = join(folder, 'packs');
    result = await runCli([
      'build',
      feed,
      '--allowlist',
      allowlist,
      '--state',
      join(folder, 'state.json'),
      '--out',
      out,
    ]);
    report = await readFile(join(out, EVIL_SLUG, 'report.md'), 'utf8');
  });

  it('builds every family', async () => {
    assert.equal(result.code, 0, result.stderr);
    const folders = (await readdir(out))
      .filter((name) => !['build-issues.txt', 'build-run.json'].includes(name))
      .sort();
    assert.deepEqual(folders, [EVIL_SLUG, 'multi-line-family', 'unicode']);
  });

  it('escapes the family name', () => {
    assert.ok(
      report.startsWith('# Evil \\| &lt;img src=x onerror=alert(1)&gt; \\`RAT\\` detection pack\n'),
      report.slice(0, 200),
    );
    assert.ok(
      report.includes('| Malware family | Evil \\| &lt;img src=x onerror=alert(1)&gt; \\`RAT\\` |'),
    );
    assert.ok(report.includes('| Aliases | Alias\\*One\\*, &lt;b&gt;Two&lt;/b&gt; |'));
    assert.ok(
      report.includes('(also known as Alias\\*One\\*, &lt;b&gt;Two&lt;/b&gt;)'),
      'aliases in the summary',
    );
  });

  it('escapes the indicator table', () => {
    const rows = [
      '| url | ``hxxp://a[.]com/`backtick`/<script>alert(1)</script>`` | payload_delivery | 2026-04-11 | 2026-04-12 | 75% |',
      '| url | ````hxxp://b[.]com/a\\|b/[x](javascript:alert(1))/```/~~~```` | payload_delivery | 2026-04-11 | 2026-04-12 | 75% |',
      '| url | `hxxp://c[.]com/"quoted"/*star*/_under_/` | payload_delivery | 2026-04-11 | 2026-04-12 | 75% |',
      '| ip:port | `1[.]2[.]3[.]4:8080` | botnet_cc \\# injected heading | 2026-04-11 | 2026-04-12 | 75% |',
      '| url | `hxxp://e[.]com/\\u202egpj.exe` | payload_delivery | 2026-04-11 | 2026-04-12 | 75% |',
      '| url | `hxxp://h[.]com/ü/日本` | payload_delivery | 2026-04-11 | 2026-04-12 | 75% |',
    ];
    for (const row of rows) assert.ok(report.includes(`\n${row}\n`), `report lacks ${row}`);
    assert.ok(
      report.includes('| Threat types | payload_delivery, botnet_cc \\# injected heading |'),
    );
  });

  it('escapes set-aside, compromised and new lists', () => {
    assert.match(
      report,
      /\n\| url \| `hxxp:\/\/f\[\.\]com\/set-aside\/<b>x<\/b>\\\|y` \| user:.*allow\.txt \(version [0-9a-f]+\) \| `regex:set-aside` \| .*allow\.txt as known benign\. \|\n/,
    );
    assert.ok(report.includes('\n| url | `hxxp://g[.]com/**bold**` | 2026-04-11 |\n'));
    assert.ok(report.includes('\n- url: hxxp://a[.]com/\\`backtick\\`/&lt;script&gt;'));
    assert.ok(report.includes('\n- url: hxxp://g[.]com/\\*\\*bold\\*\\*\n'));
  });

  it('keeps HTML and headings out of the text', () => {
    // Table cells show feed values in code spans, whose text a renderer shows as written.
    const lines = proseLines(report);
    for (const line of lines.map(withoutCodeSpans)) {
      assert.doesNotMatch(line, /[<>]/, `raw HTML character in ${line}`);
    }
    // The report's own code spans name no feed value, so a line with one has no bare backtick.
    const fromFeed = lines.filter((line) => /RAT|backtick/.test(line));
    assert.ok(fromFeed.length >= 5, `${fromFeed.length} lines quote the feed`);
    for (const line of fromFeed.map(withoutCodeSpans)) {
      assert.doesNotMatch(line, /(?<!\\)`/, `unescaped backtick in ${line}`);
    }
    const headings = lines.filter((line) => line.startsWith('#'));
    for (const heading of headings) assert.match(heading, /^#{1,3} \S/, heading);
    assert.ok(!lines.includes('# injected heading'), 'the threat type starts no heading');
  });

  it('keeps every table row whole', () => {
    let columns = 0;
    for (const line of proseLines(report)) {
      if (!line.startsWith('|')) {
        columns = 0;
        continue;
      }
      // The first row of each table sets the number of cells.
      if (columns === 0) columns = cellSeparators(line);
      assert.equal(cellSeparators(line), columns, line);
    }
  });

  it('leaves every query fence whole', async () => {
    const files = await readdir(join(out, EVIL_SLUG, 'queries'));
    const queries = await Promise.all(
      files.map((file) => readFile(join(out, EVIL_SLUG, 'queries', file), 'utf8')),
    );
    const blocks = findKqlBlocks(report);
    assert.equal(blocks.length, queries.length);
    assert.ok(
      blocks.every((block) => block.closed),
      'every block ends at its own fence',
    );
    assert.deepEqual(
      blocks.map((block) => block.text.trimEnd()).sort(),
      queries.map((query) => query.trimEnd()).sort(),
    );
    assert.ok(
      queries.some((query) => query.includes('```')),
      'a query holds the value with three backticks',
    );
  });

  it('escapes a family name with a line break', async () => {
    const multi = await readFile(join(out, 'multi-line-family', 'report.md'), 'utf8');
    assert.ok(multi.startsWith('# Multi Line \\# Family detection pack\n'), multi.slice(0, 80));
    assert.ok(multi.includes('This pack hunts for **Multi Line \\# Family** through 1 indicator '));
  });

  it('keeps Unicode family names', async () => {
    const unicode = await readFile(join(out, 'unicode', 'report.md'), 'utf8');
    assert.ok(unicode.startsWith('# Ünïcödé 日本語 🦊 detection pack\n'), unicode.slice(0, 80));
    assert.ok(unicode.includes('| Malware family | Ünïcödé 日本語 🦊 |'));
  });
});
