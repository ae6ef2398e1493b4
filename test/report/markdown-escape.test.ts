import assert from 'node:assert/strict';
import test from 'node:test';
import { printable } from '../../src/errors.js';
import { escapeMarkdown, markdownCodeSpan } from '../../src/report/markdown-escape.js';

/** Input, escaped text as report.md contains it, and what the case is about. */
const CASES: Array<[input: string, escaped: string, about: string]> = [
  [
    'hxxp://a[.]com/`backtick`/<script>alert(1)</script>',
    String.raw`hxxp://a[.]com/\`backtick\`/&lt;script&gt;alert(1)&lt;/script&gt;`,
    'HTML tag and code span',
  ],
  ['a|b', String.raw`a\|b`, 'table cell separator'],
  [String.raw`a\|b`, String.raw`a\\\|b`, 'backslash before a pipe'],
  [String.raw`end\\`, String.raw`end\\\\`, 'trailing backslashes'],
  ['*em* **strong** a*b*c', String.raw`\*em\* \*\*strong\*\* a\*b\*c`, 'asterisk emphasis'],
  ['_em_ __strong__', String.raw`\_em\_ \_\_strong\_\_`, 'underscore emphasis'],
  ['botnet_cc payload_delivery', 'botnet_cc payload_delivery', 'underscore inside a word'],
  ['a__b x_ _y', String.raw`a\_\_b x\_ \_y`, 'underscore next to punctuation or space'],
  ['[x](javascript:alert(1))', String.raw`\[x\](javascript:alert(1))`, 'inline link'],
  ['![i](http://e.example/i.png)', String.raw`!\[i\](http\://e.example/i.png)`, 'image'],
  ['[[wiki]] [^1] [ ] task', String.raw`\[\[wiki\]\] \[^1\] \[ \] task`, 'other brackets'],
  ['evil[.]com 1[.]2[.]3[.]4:80', 'evil[.]com 1[.]2[.]3[.]4:80', 'defanged dots stay'],
  ['[2001[:]db8[:][:]1]:443', String.raw`\[2001[:]db8[:][:]1\]:443`, 'defanged IPv6'],
  ['a[.](x)', String.raw`a\[.\](x)`, 'defang token before a parenthesis'],
  ['evil[.]', String.raw`evil\[.\]`, 'defang token at the end'],
  ['# heading #123', String.raw`\# heading \#123`, 'heading and issue reference'],
  ['- item', String.raw`\- item`, 'leading list marker'],
  ['+ item', String.raw`\+ item`, 'leading plus marker'],
  ['1. one', String.raw`1\. one`, 'leading ordered list marker'],
  ['22) two', String.raw`22\) two`, 'leading ordered list marker with parenthesis'],
  ['= underline', String.raw`\= underline`, 'leading heading underline'],
  ['a - b 1. c', 'a - b 1. c', 'markers inside the text'],
  ['> quote', '&gt; quote', 'block quote'],
  ['&lt; &amp; & <b>', '&amp;lt; &amp;amp; &amp; &lt;b&gt;', 'entities and ampersands'],
  ['<!-- c --> <?php ?>', '&lt;!-- c --&gt; &lt;?php ?&gt;', 'HTML comment and processing'],
  ['~~strike~~ ~s~', String.raw`\~\~strike\~\~ \~s\~`, 'strikethrough'],
  ['$x^2$ $$y$$', String.raw`\$x^2\$ \$\$y\$\$`, 'math'],
  ['```kql', String.raw`\`\`\`kql`, 'code fence'],
  ['http://evil.example/a', String.raw`http\://evil.example/a`, 'http autolink'],
  ['HTTPS://evil.example', String.raw`HTTPS\://evil.example`, 'upper-case https autolink'],
  ['ftp://evil.example', String.raw`ftp\://evil.example`, 'ftp autolink'],
  ['see www.evil.example', String.raw`see www\.evil.example`, 'www autolink'],
  ['mailto:x@evil.example', String.raw`mailto\:x@evil.example`, 'mailto scheme'],
  ['//evil.example/x a//b', String.raw`/\/evil.example/x a/\/b`, 'protocol-relative link'],
  ['hxxps://a[.]com/x', 'hxxps://a[.]com/x', 'defanged URL'],
  ['line1\nline2\r\nline3\rline4', 'line1 line2 line3 line4', 'line breaks'],
  ['a\u2028b\u2029c\u0085d', 'a b c d', 'Unicode line breaks'],
  ['tab\tesc\u001b[2J', String.raw`tab\\x09esc\\x1b\[2J`, 'control characters'],
  ['gpj\u202eexe', String.raw`gpj\\u202eexe`, 'text direction override'],
  ['Ünïcödé 日本語 🦊 Ωmega', 'Ünïcödé 日本語 🦊 Ωmega', 'Unicode letters and emoji'],
  ['quote " and \' apostrophe', 'quote " and \' apostrophe', 'quotes'],
  ['', '', 'empty text'],
];

test('escape cases match the table', () => {
  for (const [input, escaped, about] of CASES) {
    assert.equal(escapeMarkdown(input), escaped, about);
  }
});

/**
 * Returns the text a CommonMark renderer shows for inline text without markup: a backslash
 * before ASCII punctuation is dropped, and the three entities are decoded.
 */
function shownText(markdown: string): string {
  const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>' };
  return markdown.replace(
    /\\([!-/:-@[-`{-~])|&(amp|lt|gt);/g,
    (_match, escaped: string | undefined, entity: string | undefined) =>
      escaped ?? entities[entity!]!,
  );
}

test('escaped text shows the input', () => {
  const inputs = [
    ...CASES.map(([input]) => input),
    // Every ASCII punctuation character alone, doubled, and between letters.
    ...[...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'].flatMap((character) => [
      character,
      character.repeat(3),
      `a${character}b`,
    ]),
  ];
  for (const input of inputs) {
    const expected = printable(input.replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, ' '));
    assert.equal(shownText(escapeMarkdown(input)), expected, JSON.stringify(input));
  }
});

test('escaped text leaves no markup', () => {
  const inputs = CASES.map(([input]) => input);
  for (const input of inputs) {
    const escaped = escapeMarkdown(input);
    // What remains after the backslash escapes and entities, which render as text.
    const bare = escaped.replace(/\\[!-/:-@[-`{-~]|&(amp|lt|gt);/g, '');
    assert.doesNotMatch(bare, /[<>`*|#~$\\]/, `${JSON.stringify(input)} -> ${escaped}`);
    assert.doesNotMatch(bare, /&/, `${JSON.stringify(input)} -> ${escaped}`);
    assert.doesNotMatch(bare.replace(/\[[.:]\]/g, ''), /[[\]]/, `${JSON.stringify(input)}`);
    assert.doesNotMatch(bare, /[\r\n]/, `${JSON.stringify(input)} -> ${escaped}`);
    assert.doesNotMatch(bare, /(https?|ftp):\/\/|www\./i, `${JSON.stringify(input)}`);
  }
});

/**
 * Returns the text that a GFM table cell holding one code span shows: the fence and one space
 * of padding on each side are dropped, and `\|` is a pipe.
 */
function shownCodeSpan(cell: string): string {
  const fence = /^`+/.exec(cell)![0];
  assert.ok(cell.endsWith(fence), cell);
  let inner = cell.slice(fence.length, -fence.length);
  assert.doesNotMatch(inner, new RegExp(`(^|[^\`])${fence}([^\`]|$)`), cell);
  if (inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '') {
    inner = inner.slice(1, -1);
  }
  return inner.replaceAll('\\|', '|');
}

test('code span shows the value', () => {
  const cases: Array<[input: string, span: string]> = [
    ['hxxp://103[.]27[.]156[.]239/_/', '`hxxp://103[.]27[.]156[.]239/_/`'],
    ['[2a02[:]c0[:]ac[:][:]e51[:]1]:443', '`[2a02[:]c0[:]ac[:][:]e51[:]1]:443`'],
    ['hxxp://a[.]com/`x`', '`` hxxp://a[.]com/`x` ``'],
    ['hxxp://a[.]com/``x', '```hxxp://a[.]com/``x```'],
    ['hxxp://a[.]com/a|b', '`hxxp://a[.]com/a\\|b`'],
    [' a ', '`  a  `'],
    ['a\nb', '`a b`'],
  ];
  for (const [input, span] of cases) {
    assert.equal(markdownCodeSpan(input), span, JSON.stringify(input));
    const expected = printable(input.replace(/\r\n|[\r\n\u0085\u2028\u2029]/g, ' '));
    assert.equal(shownCodeSpan(markdownCodeSpan(input)), expected, JSON.stringify(input));
  }
});
