import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkText } from '../../src/validate/check-files.js';
import { findKqlBlocks } from '../../src/validate/markdown-blocks.js';

test('markdown blocks found in a block quote', () => {
  const markdown = ['# Hunt', '', '> ```kql', '> DnsEvents', '> | take 1', '> ```', ''].join('\n');
  const blocks = findKqlBlocks(markdown);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]?.fenceLine, 3);
  assert.equal(blocks[0]?.closed, true);
  assert.equal(blocks[0]?.text, '  DnsEvents\n  | take 1\n');
  const start = blocks[0]?.start ?? -1;
  assert.equal(markdown.slice(start + 2, start + 11), 'DnsEvents');
});

test('markdown quote end closes the block', () => {
  const markdown = ['>> ```kql', '>> DnsEvents', '> not code', '```kql', 'Syslog', '```'].join(
    '\n',
  );
  const blocks = findKqlBlocks(markdown);
  assert.deepEqual(
    blocks.map((block) => [block.fenceLine, block.text.trim(), block.closed]),
    [
      [1, 'DnsEvents', true],
      [4, 'Syslog', true],
    ],
  );
});

test('check places errors in quoted blocks', () => {
  const markdown = [
    '> ```kql',
    '> CommonSecurityLog | where TimeGenerated > ago(1d) | project Bad6',
    '> ```',
  ].join('\n');
  const result = checkText('m.md', markdown, { analyzers: false });
  assert.equal(result.queries, 1);
  assert.deepEqual(
    result.diagnostics.map((item) => [item.code, item.source.line, item.source.column]),
    [['KS142', 2, 63]],
  );
});

test('unlabelled fence with a query is checked', () => {
  const markdown = [
    '```',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(1d)',
    '| project NoSuchColumn',
    '```',
    '',
    '```',
    '| Type | Value |',
    '|---|---|',
    '```',
    '',
    '```',
    'pip install huntpack',
    '```',
    '',
    '```',
    'explorer.exe',
    '|- wscript.exe invoice.js',
    '```',
  ].join('\n');
  assert.deepEqual(
    findKqlBlocks(markdown).map((block) => block.fenceLine),
    [1],
  );
  const result = checkText('m.md', markdown, { analyzers: false });
  assert.equal(result.queries, 1);
  assert.deepEqual(
    result.diagnostics.map((item) => [item.code, item.source.line]),
    [['KS142', 4]],
  );
});
