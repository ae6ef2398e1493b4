import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkKqlFiles,
  checkText,
  type FileCheckResult,
  type FileDiagnostic,
} from '../../src/validate/check-files.js';
import { formatDiagnostic } from '../../src/validate/format-diagnostic.js';
import { findKqlBlocks } from '../../src/validate/markdown-blocks.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const fixture = (name: string): string => repoFile(`test/fixtures/kql/${name}`);

/** Returns `[code, line, column, length]` of each diagnostic, for exact comparison. */
function places(result: FileCheckResult | undefined): Array<[string, number?, number?, number?]> {
  assert.ok(result, 'missing result');
  return result.diagnostics.map((item) => [
    item.code,
    item.source.line,
    item.source.column,
    item.length,
  ]);
}

describe('checkKqlFiles on KQL files', () => {
  it('passes a valid hunt with comments', async () => {
    const [result] = await checkKqlFiles([fixture('valid-hunt.kql')]);
    assert.equal(result?.queries, 1);
    assert.deepEqual(result?.diagnostics, []);
  });

  it('places misspelled columns exactly', async () => {
    const [result] = await checkKqlFiles([fixture('typo-columns.kql')]);
    assert.deepEqual(places(result), [
      ['KS142', 4, 9, 17],
      ['KS142', 5, 23, 7],
    ]);
    assert.equal(result?.diagnostics[0]?.sourceLine, '| where ProcessCommandLin has "powershell"');
    assert.equal(result?.diagnostics[1]?.sourceLine, '| project DeviceName,\tFileNam');
  });

  it('keeps results in the order given', async () => {
    const paths = [fixture('typo-columns.kql'), fixture('valid-hunt.kql'), fixture('hunts.md')];
    const results = await checkKqlFiles(paths);
    assert.deepEqual(
      results.map((result) => result.file),
      paths,
    );
  });

  it('checks against defender when asked', async () => {
    const [result] = await checkKqlFiles([fixture('valid-hunt.kql')], { platform: 'defender' });
    assert.deepEqual(places(result), [
      ['KS142', 5, 9, 13],
      ['KS142', 7, 11, 13],
    ]);
  });
});

describe('checkKqlFiles platform header', () => {
  const defenderHunt = [
    '// Clicks on a known URL (Defender, url)',
    '// Platform: Defender XDR advanced hunting',
    'UrlClickEvents',
    '| where Timestamp > ago(1d)',
    '| project Timestamp, Url',
  ].join('\n');

  it('checks a Defender query against defender', () => {
    const result = checkText('hunt.kql', defenderHunt);
    assert.deepEqual(places(result), []);
    assert.deepEqual(result.platforms, ['defender']);
  });

  it('checks a query without header against sentinel', () => {
    const result = checkText('hunt.kql', defenderHunt.replace(/^\/\/ Platform.*$/m, '//'));
    assert.deepEqual(places(result), [
      ['KS142', 4, 9, 9],
      ['KS142', 5, 11, 9],
    ]);
    assert.deepEqual(result.platforms, ['sentinel']);
  });

  it('lets an explicit platform win', () => {
    const result = checkText('hunt.kql', defenderHunt, { platform: 'sentinel' });
    assert.equal(result.diagnostics.length, 2);
    assert.deepEqual(result.platforms, ['sentinel']);
  });

  it('reads the Sentinel header', () => {
    const text = '// Platform: Microsoft Sentinel\nUrlClickEvents | where Timestamp > ago(1d)';
    assert.deepEqual(places(checkText('hunt.kql', text)), [['KS142', 2, 24, 9]]);
  });

  it('reads each Markdown block header', () => {
    const markdown = [
      '# Hunts',
      '```kql',
      defenderHunt,
      '```',
      '```kql',
      '// Platform: Microsoft Sentinel',
      'UrlClickEvents | where TimeGenerated > ago(1d)',
      '```',
    ].join('\n');
    const result = checkText('report.md', markdown);
    assert.deepEqual(places(result), []);
    assert.deepEqual(result.platforms, ['defender', 'sentinel']);
  });

  it('ignores a Platform comment after the first token', () => {
    const text = 'UrlClickEvents\n// Platform: Defender\n| where Timestamp > ago(1d)';
    const result = checkText('hunt.kql', text);
    assert.deepEqual(result.platforms, ['sentinel']);
    assert.deepEqual(places(result), [['KS142', 3, 9, 9]]);
  });

  it('warns about an unknown platform name', () => {
    const text = '// Platform: Splunk\r\nUrlClickEvents | where TimeGenerated > ago(1d)';
    const result = checkText('hunt.kql', text);
    assert.deepEqual(places(result), [['UNKNOWN_PLATFORM', 1, 14, 6]]);
    assert.equal(result.diagnostics[0]?.severity, 'warning');
    assert.match(result.diagnostics[0]?.message ?? '', /"Splunk".*checked against the Sentinel/);
    assert.deepEqual(result.platforms, ['sentinel']);
  });
});

describe('checkKqlFiles on Markdown files', () => {
  it('checks kql and kusto blocks only', async () => {
    const [result] = await checkKqlFiles([fixture('hunts.md')]);
    assert.equal(result?.queries, 3);
    assert.deepEqual(places(result), [
      ['KS142', 15, 26, 4],
      ['KS142', 28, 29, 4],
    ]);
    assert.equal(result?.diagnostics[1]?.sourceLine, '  | where SHA256 == "x" and Sha1 == "y"');
  });

  it('warns about empty and unclosed blocks', async () => {
    const [result] = await checkKqlFiles([fixture('unclosed.md')]);
    // The block of only a comment holds no query, so only the unclosed block is counted.
    assert.equal(result?.queries, 1);
    assert.deepEqual(places(result), [
      ['EMPTY_QUERY', 3, 1, 3],
      ['UNCLOSED_FENCE', 7, 1, 3],
    ]);
  });

  it('warns when no block is found', () => {
    const result = checkText('notes.md', '# Notes\n\n```sql\nSELECT 1\n```\n');
    assert.equal(result.queries, 0);
    assert.deepEqual(places(result), [['NO_KQL_BLOCKS', 1, 1, 0]]);
  });

  it('notes a report that declares no hunts', () => {
    const report =
      '# Meterpreter detection pack\n\n## Hunts\n\n0 queries, each checked.\n\n## Data sources\n';
    const result = checkText('report.md', report);
    assert.equal(result.queries, 0);
    assert.deepEqual(places(result), [['NO_HUNTS', 5, 1, 9]]);
    assert.equal(result.diagnostics[0]?.severity, 'info');
    assert.match(result.diagnostics[0]?.message ?? '', /declares no hunts \("0 queries"/);
  });

  it('warns when declared hunts have no block', () => {
    for (const report of [
      '## Hunts\n\n3 queries, each checked.\n',
      '## Hunts\n\n10 queries, each checked.\n',
      '## Notes\n\n0 queries, each checked.\n',
    ]) {
      const result = checkText('report.md', report);
      assert.deepEqual(places(result), [['NO_KQL_BLOCKS', 1, 1, 0]], report);
      assert.equal(result.diagnostics[0]?.severity, 'warning', report);
    }
  });
});

describe('checkKqlFiles line endings and encodings', () => {
  const folder = makeTempDir('check');

  it('counts CRLF lines in a KQL file', async () => {
    const path = join(folder, 'crlf.kql');
    await writeFile(path, '// hunt\r\nDeviceFileEvents\r\n| where Sha1 == "x"\r\n');
    const [result] = await checkKqlFiles([path]);
    assert.deepEqual(places(result), [['KS142', 3, 9, 4]]);
    assert.equal(result?.diagnostics[0]?.sourceLine, '| where Sha1 == "x"');
  });

  it('counts CRLF lines in a Markdown file', async () => {
    const path = join(folder, 'crlf.md');
    await writeFile(path, '# x\r\n\r\n```kql\r\nSyslog\r\n| where Foo == 1\r\n```\r\n');
    const [result] = await checkKqlFiles([path]);
    assert.deepEqual(places(result), [['KS142', 5, 9, 3]]);
  });

  it('ignores a byte order mark', async () => {
    const path = join(folder, 'bom.kql');
    await writeFile(path, '\uFEFFSyslog | where Foo == 1');
    const [result] = await checkKqlFiles([path]);
    assert.deepEqual(places(result), [['KS142', 1, 16, 3]]);
  });

  it('warns about a file of comments only', async () => {
    const path = join(folder, 'empty.kql');
    await writeFile(path, '// nothing here\n\n');
    const [result] = await checkKqlFiles([path]);
    assert.deepEqual(places(result), [['EMPTY_QUERY', 1, 1, 0]]);
  });

  it('reports missing files and folders and keeps going', async () => {
    const missing = join(folder, 'missing.kql');
    const results = await checkKqlFiles([missing, folder, fixture('valid-hunt.kql')]);
    assert.deepEqual(
      results.map((result) => result.diagnostics.map((item) => item.code)),
      [['FILE_NOT_FOUND'], ['NOT_A_FILE'], []],
    );
    assert.equal(results[0]?.diagnostics[0]?.severity, 'error');
    assert.equal(results[0]?.diagnostics[0]?.source.line, undefined);
  });
});

describe('formatDiagnostic', () => {
  const diagnostic = (overrides: Partial<FileDiagnostic>): FileDiagnostic => ({
    code: 'KS142',
    severity: 'error',
    message: "The name 'Sha1' does not refer to any known column, table, variable or function.",
    source: { file: 'hunt.kql', line: 3, column: 9 },
    sourceLine: '| where Sha1 == "x"',
    length: 4,
    ...overrides,
  });

  it('prints the line with carets', () => {
    assert.equal(
      formatDiagnostic(diagnostic({})),
      [
        "hunt.kql:3:9: error KS142: The name 'Sha1' does not refer to any known column, table, variable or function.",
        '3 | | where Sha1 == "x"',
        '  |         ^^^^',
      ].join('\n'),
    );
  });

  it('keeps tabs in the caret padding', () => {
    const text = formatDiagnostic(
      diagnostic({ sourceLine: '\t| where Sha1', source: { file: 'a', line: 1, column: 10 } }),
    );
    assert.equal(text.split('\n')[2], '  | \t        ^^^^');
  });

  it('prints one caret for a zero-length spot', () => {
    const text = formatDiagnostic(
      diagnostic({
        sourceLine: '| where x |',
        source: { file: 'a', line: 12, column: 12 },
        length: 0,
      }),
    );
    assert.deepEqual(text.split('\n').slice(1), ['12 | | where x |', '   |            ^']);
  });

  it('cuts a long line around the column', () => {
    const sourceLine = `print x = "${'a'.repeat(300)}", Nope`;
    const column = sourceLine.indexOf('Nope') + 1;
    const text = formatDiagnostic(
      diagnostic({ sourceLine, source: { file: 'a', line: 1, column } }),
    );
    const [, shown, carets] = text.split('\n');
    assert.ok(shown !== undefined);
    assert.ok(carets !== undefined);
    assert.ok(shown.length <= 110, `shown line is ${shown.length} characters`);
    assert.ok(shown.startsWith('1 | …'));
    assert.equal(carets.indexOf('^'), shown.indexOf('Nope'));
  });

  it('widens padding for wide characters', () => {
    // Each of the two CJK characters takes two terminal columns, the e with its combining
    // accent one, and the emoji two.
    const sourceLine = '| where Name == "日本", Cafe\u0301 == 1, X == "😀", Sha1';
    const column = sourceLine.indexOf('Sha1') + 1;
    const carets = formatDiagnostic(
      diagnostic({ sourceLine, source: { file: 'a', line: 3, column } }),
    ).split('\n')[2];
    // The same line as a terminal draws it, one character per column.
    const drawn = '| where Name == "xxxx", Cafe == 1, X == "xx", Sha1';
    const width = drawn.indexOf('Sha1');
    assert.equal(carets, `  | ${' '.repeat(width)}^^^^`);
  });

  it('underlines a wide token across its width', () => {
    const sourceLine = '| where 日本 == 1';
    const carets = formatDiagnostic(
      diagnostic({ sourceLine, source: { file: 'a', line: 3, column: 9 }, length: 2 }),
    ).split('\n')[2];
    assert.equal(carets, `  | ${' '.repeat(8)}^^^^`);
  });

  it('cuts a long line between characters', () => {
    for (const lead of ['', 'a']) {
      const sourceLine = `print x = "${lead}${'😀'.repeat(150)}", Nope`;
      const column = sourceLine.indexOf('Nope') + 1;
      const text = formatDiagnostic(
        diagnostic({ sourceLine, source: { file: 'a', line: 1, column } }),
      );
      assert.doesNotMatch(text, /\p{Cs}/u, `lone surrogate with lead "${lead}"`);
      assert.match(text.split('\n')[1]!, /^1 \| …😀.*", Nope$/u);
    }
  });

  it('replaces control characters in the source line', () => {
    const text = formatDiagnostic(diagnostic({ sourceLine: '| where\u001B[2J Sha1' }));
    assert.equal(text.split('\n')[1], '3 | | where?[2J Sha1');
  });

  it('prints only the heading without a source line', () => {
    const text = formatDiagnostic({
      code: 'FILE_NOT_FOUND',
      severity: 'error',
      message: 'File not found: x.kql. Check the path.',
      source: { file: 'x.kql' },
      length: 0,
    });
    assert.equal(text, 'x.kql: error FILE_NOT_FOUND: File not found: x.kql. Check the path.');
  });
});

describe('findKqlBlocks', () => {
  it('finds fences of both kinds and any case', () => {
    const markdown = '```KQL\na\n```\n~~~kusto\nb\n~~~\n````kql\nc\n```\n````\n';
    assert.deepEqual(
      findKqlBlocks(markdown).map((block) => block.text),
      ['a\n', 'b\n', 'c\n```\n'],
    );
  });

  it('skips other languages and inline code', () => {
    const markdown = '```kql` not a fence\n```python\nx\n```\n    ```kql\n';
    assert.deepEqual(findKqlBlocks(markdown), []);
  });

  it('does not close a backtick fence with tildes', () => {
    const [block] = findKqlBlocks('```kql\na\n~~~\nb\n```\n');
    assert.equal(block?.text, 'a\n~~~\nb\n');
    assert.equal(block?.closed, true);
  });

  it('reports the content offset', () => {
    const markdown = '# t\n\n```kql\nSyslog\n```\n';
    const [block] = findKqlBlocks(markdown);
    assert.equal(block?.start, markdown.indexOf('Syslog'));
    assert.equal(block?.fenceLine, 3);
  });

  it('handles an empty block at the end of the file', () => {
    const [block] = findKqlBlocks('```kql');
    assert.equal(block?.text, '');
    assert.equal(block?.closed, false);
  });
});

describe('checkKqlFiles on plain-text reports', () => {
  const report = [
    'The detection finds Remcos traffic through known IOCs.',
    'IOC Summary',
    '// Hunt for connections to known IPs',
    'let ips = dynamic(["203.0.113.5"]);',
    'CommonSecurityLog',
    '| where DestinationIP in (ips)',
    '| project TimeGenerated, DestinationIP',
    'Scenario: an admin tool',
    'DeviceNetworkEvents',
    '| where RemoteIPx in ("203.0.113.5")',
    'Filter/Exclusion: process.name != "psexec.exe"',
  ];

  it('checks the query blocks of prose', () => {
    const result = checkText('report.txt', report.join('\n'));
    assert.equal(result.queries, 2);
    assert.deepEqual(result.platforms, ['sentinel', 'sentinel']);
    assert.deepEqual(places(result), [
      ['KS142', 10, 9, 9],
      ['HUNT_REPORT_HINT', undefined, undefined, 0],
    ]);
    assert.equal(result.diagnostics[0]?.sourceLine, '| where RemoteIPx in ("203.0.113.5")');
    const hint = result.diagnostics[1];
    assert.equal(hint?.severity, 'info');
    assert.match(hint?.message ?? '', /2 query blocks were checked one by one/);
    assert.match(hint?.message ?? '', /huntpack lint report\.txt$/);
  });

  it('places block errors in CRLF files', () => {
    const result = checkText('report.txt', report.join('\r\n'));
    assert.deepEqual(places(result), [
      ['KS142', 10, 9, 9],
      ['HUNT_REPORT_HINT', undefined, undefined, 0],
    ]);
    assert.equal(result.diagnostics[0]?.sourceLine, '| where RemoteIPx in ("203.0.113.5")');
  });

  it('keeps a text file that parses as one query', () => {
    const result = checkText('hunt.txt', 'Syslog\n| where SyslogMessage has "x"\n');
    assert.equal(result.queries, 1);
    assert.deepEqual(result.diagnostics, []);
  });

  it('adds the hint when no block is found', () => {
    const result = checkText('notes', 'The detection finds Remcos traffic.\nNo query here.\n');
    assert.equal(result.queries, 1);
    const codes = result.diagnostics.map((diagnostic) => diagnostic.code);
    assert.ok(codes.includes('KS142'), codes.join(', '));
    assert.equal(codes.at(-1), 'HUNT_REPORT_HINT');
    assert.match(result.diagnostics.at(-1)?.message ?? '', /has no query block/);
  });

  it('reads .csl and .kusto files as one query', () => {
    for (const name of ['report.csl', 'report.kusto', 'report.KQL']) {
      const result = checkText(name, report.join('\n'));
      assert.equal(result.queries, 1, name);
      const codes = result.diagnostics.map((diagnostic) => diagnostic.code);
      assert.ok(!codes.includes('HUNT_REPORT_HINT'), name);
      assert.ok(codes.includes('KS142'), name);
    }
  });

  it(
    'checks the Remcos sample report',
    { skip: skipWithoutShared('../examples/remcos-hunt-report.txt') },
    async () => {
      const [result] = await checkKqlFiles([sharedFile('../examples/remcos-hunt-report.txt')]);
      assert.equal(result?.queries, 2);
      const errors = result?.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      assert.deepEqual(errors, []);
      assert.equal(result?.diagnostics.at(-1)?.code, 'HUNT_REPORT_HINT');
    },
  );
});

describe('checkText query length', () => {
  /** Returns a hunt for `count` addresses, in Sentinel or Defender form. */
  function hunt(count: number, platform: 'Sentinel' | 'Defender'): string {
    const time = platform === 'Sentinel' ? 'TimeGenerated' : 'Timestamp';
    const addresses = Array.from({ length: count }, (_, i) => `"45.0.${i >> 8}.${i & 255}"`);
    return [
      `// Platform: ${platform}`,
      'DeviceNetworkEvents',
      `| where ${time} > ago(7d)`,
      `| where RemoteIP in (${addresses.join(', ')})`,
    ].join('\n');
  }

  it('warns on a Sentinel query over the rule limit', () => {
    const codes = (text: string): string[] =>
      checkText('hunt.kql', text).diagnostics.map((item) => item.code);
    assert.deepEqual(codes(hunt(1000, 'Sentinel')), ['QUERY_TOO_LONG']);
    assert.deepEqual(codes(hunt(300, 'Sentinel')), []);
    assert.deepEqual(codes(hunt(1000, 'Defender')), []);
  });
});
