/**
 * Reports names and addresses that a writer may have defanged in a way the reader does not
 * refang, because the same spelling also occurs in prose:
 * - a dot written as the word `dot` (`seven-c2 dot net`, but also "the dot com era"),
 * - a bracketed dot with spaces on both sides (`evil [.] com`, but also a legend such as
 *   "dots are written as [.] in names"),
 * - an IPv4 address with spaces around its dots (`185 . 100 . 87 . 203`),
 * - a bracketed dot that lacks one bracket (`zeta-c2[.com`, `zeta-c2.]com`).
 *
 * Such a candidate is not read, because guessing would turn prose into indicators. It is
 * rejected with an AMBIGUOUS_DEFANG warning that names it and its line, so that the count of
 * rejected candidates shows it and the analyst can defang it properly.
 */
import { quoteValue } from '../errors.js';
import { defangDots } from '../indicators/defang.js';
import { checkHost } from './text-hosts.js';
import { spanIsDefanged } from './text-refang.js';
import { blank, reject, type LineScan, type ScanSettings } from './text-scan.js';

/**
 * Labels joined by dots that may be spelled with spaces or as the word `dot`. The number of
 * joins is bounded, as in DOMAIN_PATTERN, so that the regex stack stays small on a long line.
 */
const SPACED_NAME =
  /(?<![\p{L}\p{N}_.-])[\p{L}\p{N}_-]+(?:(?:\s+dot\s+|\s*\.\s*)[\p{L}\p{N}_-]+){1,127}/giu;

/** One separator of SPACED_NAME. */
const SPACED_SEPARATOR = /\s+dot\s+|\s*\.\s*/giu;

/** A bracketed dot with one bracket missing between two names, each of at most 127 labels. */
const HALF_MARKER =
  /(?<![\p{L}\p{N}_.-])([\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+){0,126})(\[\.|\.\])([\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+){0,126})(?![\]\p{L}\p{N}_-])/gu;

/** Finds and rejects the possible indicators described in the file comment. */
export function scanDefangSuspects(scan: LineScan, settings: ScanSettings): void {
  for (const match of scan.work.read().matchAll(HALF_MARKER)) {
    const name = `${match[1] ?? ''}.${match[3] ?? ''}`;
    if (checkHost(name).kind === 'invalid') continue;
    blank(scan, match.index, match.index + match[0].length);
    const message =
      `Did not read the possible indicator ${quoteValue(match[0])}: ${quoteValue(match[2] ?? '')} ` +
      `may be the dot marker "[.]" with a bracket missing, or text that is no indicator. If it ` +
      `is an indicator, write it as ${quoteValue(defangDots(name))} to hunt it.`;
    reject(scan, settings, 'AMBIGUOUS_DEFANG', message);
  }

  for (const match of scan.work.read().matchAll(SPACED_NAME)) {
    const name = match[0].replace(SPACED_SEPARATOR, '.');
    if (checkHost(name).kind === 'ipv4') {
      rejectSpacedName(scan, settings, match.index, match[0]);
      continue;
    }
    for (const part of splitAtSentenceEnds(scan, match.index, match[0])) {
      const partName = part.text.replace(SPACED_SEPARATOR, '.');
      if (part.ambiguous && checkHost(partName).kind === 'domain') {
        rejectSpacedName(scan, settings, part.start, part.text);
      }
    }
  }
}

/**
 * Splits a SPACED_NAME match at each plain dot with spaces around it, which ends a sentence or
 * a list number ("9. evil [.] com"), and marks the parts that contain an ambiguous dot: the word
 * `dot`, or a bracketed dot with spaces around it.
 */
function splitAtSentenceEnds(
  scan: LineScan,
  start: number,
  text: string,
): Array<{ start: number; text: string; ambiguous: boolean }> {
  const parts: Array<{ start: number; text: string; ambiguous: boolean }> = [];
  let partStart = 0;
  let ambiguous = false;
  for (const separator of text.matchAll(SPACED_SEPARATOR)) {
    const separatorStart = start + separator.index;
    const separatorEnd = separatorStart + separator[0].length;
    if (/dot/i.test(separator[0])) ambiguous = true;
    else if (/\s/.test(separator[0])) {
      if (spanIsDefanged(scan.line, separatorStart, separatorEnd)) ambiguous = true;
      else {
        parts.push({
          start: start + partStart,
          text: text.slice(partStart, separator.index),
          ambiguous,
        });
        partStart = separator.index + separator[0].length;
        ambiguous = false;
      }
    }
  }
  parts.push({ start: start + partStart, text: text.slice(partStart), ambiguous });
  return parts;
}

function rejectSpacedName(
  scan: LineScan,
  settings: ScanSettings,
  start: number,
  written: string,
): void {
  blank(scan, start, start + written.length);
  const defanged = quoteValue(defangDots(written.replace(SPACED_SEPARATOR, '.')));
  const message =
    `Did not read ${defanged} as an indicator: its dots are written as the word "dot" or with ` +
    'spaces around them, which also occurs in prose. If it is one, write it without spaces, as ' +
    `${defanged}, to hunt it.`;
  reject(scan, settings, 'AMBIGUOUS_DEFANG', message);
}
