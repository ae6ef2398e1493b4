/**
 * Escapes feed values for report.md. Feeds are untrusted, and reports are pasted into wikis and
 * ticket systems that render Markdown, so a value must render as the same text and never as
 * HTML, a link, emphasis, a heading or a new table cell.
 */
import { printable } from '../errors.js';

/** Line breaks of CommonMark and Unicode, which would end a table row or start a new block. */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/g;

/**
 * The characters to escape, matched in one pass over the original text:
 * - A defang token `[.]` or `[:]` is kept as it is, unless `(` or the end of the text follows
 *   it. Only `[text](` or a reference definition elsewhere in the page makes brackets a link.
 * - ASCII punctuation that starts inline Markdown: code spans, emphasis, links, table cells,
 *   headings, GFM strikethrough and the `$...$` math of GitHub and other renderers.
 * - `_` unless a letter or digit is on both sides. CommonMark never starts or ends emphasis
 *   with such an underscore, so `botnet_cc` stays readable.
 * - The HTML characters `&`, `<` and `>`.
 */
const SPECIAL = /\[[.:]\](?!\(|$)|[\\`*[\]|#~$&<>]|_(?![\p{L}\p{N}])|(?<![\p{L}\p{N}])_/gu;

/**
 * HTML characters as entities. Unlike `\<`, an entity also keeps `<` from opening a tag in the
 * original Markdown, whose backslash escapes cover only `` \`*_{}[]()>#+-.! `` (pandoc manual,
 * "Backslash escapes").
 */
const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeSpecial(match: string): string {
  if (match.length > 1) return match;
  return HTML_ENTITIES[match] ?? `\\${match}`;
}

/**
 * Escapes `text` for an inline position in Markdown: a table cell, a heading, or after other
 * text on a line, such as `- kind: VALUE`. The result renders as `text`, except that line breaks
 * become spaces and control and text-direction characters are written as `\x1b` or `\u202e`, as
 * {@link printable} writes them. CommonMark turns a backslash before any ASCII punctuation into
 * that character, which the escapes below rely on.
 *
 * Besides the characters in {@link SPECIAL}, the escapes keep GFM from turning `http://`,
 * `https://`, `ftp://`, `mailto:`, `xmpp:`, `www.` and `//host` into links, and keep a leading
 * `-`, `+`, `=` or `1.` from starting a list or a heading underline.
 *
 * NOTE: cmark-gfm 0.29.0.gfm.6, GitHub's fork of cmark, still links an e-mail address such as
 * `a@b.example`, also after `mailto:`, because its autolink step runs after escapes are resolved.
 * Whether GitHub's math step honours `\$` was not checked: its users report that it may not.
 */
export function escapeMarkdown(text: string): string {
  const visible = printable(text.replace(LINE_BREAKS, ' '));
  return visible
    .replace(SPECIAL, escapeSpecial)
    .replace(/(https?|ftp)(:\/\/)/gi, '$1\\$2')
    .replace(/(mailto|xmpp):/gi, '$1\\:')
    .replace(/(www)\./gi, '$1\\.')
    .replace(/(^|[^:])\/\//g, '$1/\\/')
    .replace(/^([-+=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/**
 * Writes `text` as a Markdown code span for a table cell, so that a value copied from the raw
 * file is the value itself. The fence is one backtick longer than the longest run of backticks
 * in the text, with a space inside it when the text starts or ends with a backtick. Line breaks
 * become spaces and control characters are written as {@link printable} writes them.
 *
 * NOTE: `|` is still written `\|`, because GFM splits table cells before it reads code spans.
 * GitHub renders it as `|`, but the raw file has the backslash.
 */
export function markdownCodeSpan(text: string): string {
  const visible = printable(text.replace(LINE_BREAKS, ' ')).replaceAll('|', '\\|');
  const runs = visible.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((run) => run.length)) + 1);
  // CommonMark strips one space from each end of a code span that starts and ends with one.
  const padded =
    visible.startsWith('`') ||
    visible.endsWith('`') ||
    (visible.startsWith(' ') && visible.endsWith(' ') && visible.trim() !== '');
  const space = padded ? ' ' : '';
  return `${fence}${space}${visible}${space}${fence}`;
}
