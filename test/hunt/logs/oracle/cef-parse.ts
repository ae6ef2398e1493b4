/**
 * The earlier, pair-by-pair CEF parser, kept as a test oracle (its logic unchanged, one message
 * reworded as the parser's was): the
 * differential tests check that the scan-based `parseCef` in src/hunt/logs gives the same
 * results and warnings on fixtures, vendor samples and random lines.
 */
import { quoteValue } from '../../../../src/errors.js';

/** A parsed CEF message. */
export interface CefMessage {
  /** Text before `CEF:`: a syslog header, a vendor prefix such as `ASM:`, or empty. */
  prefix: string;
  version: string;
  vendor: string;
  product: string;
  deviceVersion: string;
  signatureId: string;
  name: string;
  severity: string;
  /** Extension pairs in message order, values unescaped and trimmed. */
  extension: Array<[key: string, value: string]>;
  /** Text in the extension that is not `key=value`, such as a leading word without `=`. */
  strayText: string[];
}

export type CefParseResult =
  { ok: true; message: CefMessage } | { ok: false; code: string; message: string };

const BACKSLASH = 92;
const PIPE = 124;
const EQUALS = 61;

/** Key characters: `A-Z a-z 0-9 _ . [ ] -`, as a lookup table over char codes below 128. */
const KEY_CHAR = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const char = String.fromCharCode(code);
  if (/[A-Za-z0-9_.[\]-]/.test(char)) KEY_CHAR[code] = 1;
}

function isKeyChar(code: number): boolean {
  return code < 128 && KEY_CHAR[code] === 1;
}

/** Space, tab, line feed and carriage return separate extension pairs. */
function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** Finds `CEF:` followed by optional spaces, a version number and `|`; returns its index. */
function findCefStart(text: string): { start: number; versionStart: number; pipe: number } {
  let from = 0;
  for (;;) {
    const start = text.indexOf('CEF:', from);
    if (start < 0) return { start: -1, versionStart: -1, pipe: -1 };
    let i = start + 4;
    while (text.charCodeAt(i) === 32) i++;
    const versionStart = i;
    while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    if (i > versionStart && text.charCodeAt(i) === PIPE) return { start, versionStart, pipe: i };
    from = start + 4;
  }
}

/** Reads one header field ending at an unescaped `|`; returns undefined when none follows. */
function readHeaderField(text: string, from: number): { value: string; next: number } | undefined {
  let i = from;
  let segmentStart = from;
  let value = '';
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === PIPE) {
      value += text.slice(segmentStart, i);
      return { value: value.trim(), next: i + 1 };
    }
    if (code === BACKSLASH) {
      const nextCode = text.charCodeAt(i + 1);
      if (nextCode === PIPE || nextCode === BACKSLASH) {
        value += text.slice(segmentStart, i) + String.fromCharCode(nextCode);
        i += 2;
        segmentStart = i;
        continue;
      }
    }
    i++;
  }
  return undefined;
}

/** Parses the CEF message inside a line; the line may start with a syslog header. */
export function parseCef(text: string): CefParseResult {
  const found = findCefStart(text);
  if (found.start < 0) {
    return { ok: false, code: 'NOT_CEF', message: 'No "CEF:<version>|" found in the line.' };
  }

  const fields: string[] = [];
  let position = found.pipe + 1;
  for (let n = 0; n < 6; n++) {
    const field = readHeaderField(text, position);
    if (!field) return incompleteHeader(fields.length, text, found.start);
    fields.push(field.value);
    position = field.next;
  }
  // Some Check Point exports write `CEF:0||Check Point|...`: an empty field before the vendor.
  // The header then has one field too many, which shows as a `|` before the first `=`.
  if (fields[0] === '' && hasPipeBeforeEquals(text, position)) {
    const field = readHeaderField(text, position);
    if (!field) return incompleteHeader(6, text, found.start);
    fields.shift();
    fields.push(field.value);
    position = field.next;
  }

  const extension: CefMessage['extension'] = [];
  const strayText: string[] = [];
  parseExtension(text, position, extension, strayText);
  return {
    ok: true,
    message: {
      prefix: text.slice(0, found.start),
      version: text.slice(found.versionStart, found.pipe),
      vendor: fields[0] ?? '',
      product: fields[1] ?? '',
      deviceVersion: fields[2] ?? '',
      signatureId: fields[3] ?? '',
      name: fields[4] ?? '',
      severity: fields[5] ?? '',
      extension,
      strayText,
    },
  };
}

// The message quotes the header as the parser under test does; the parsing logic is unchanged.
function incompleteHeader(fieldsFound: number, text: string, cefStart: number): CefParseResult {
  return {
    ok: false,
    code: 'INCOMPLETE_CEF_HEADER',
    message: `CEF header ${quoteValue(text.slice(cefStart))} has ${fieldsFound} of the 6 "|"-terminated fields after the version: expected CEF:Version|Vendor|Product|DeviceVersion|SignatureID|Name|Severity|Extension.`,
  };
}

function hasPipeBeforeEquals(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === EQUALS) return false;
    if (code === PIPE) return true;
  }
  return false;
}

/**
 * Returns the index after `key=` when a key starts at `from`, or -1. Scans only the key token,
 * so every character is looked at a bounded number of times.
 */
function keyEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && isKeyChar(text.charCodeAt(i))) i++;
  return i > from && text.charCodeAt(i) === EQUALS ? i : -1;
}

function parseExtension(
  text: string,
  from: number,
  pairs: CefMessage['extension'],
  strayText: string[],
): void {
  let i = from;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  while (i < text.length) {
    const equals = keyEnd(text, i);
    if (equals < 0) {
      // Text that is not `key=`: skip to the next pair and keep the text for a warning.
      const next = nextPairStart(text, i);
      const stray = text.slice(i, next).trim();
      if (stray !== '') strayText.push(stray);
      i = next;
      continue;
    }
    const key = text.slice(i, equals);
    const value = readValue(text, equals + 1);
    pairs.push([key, value.value]);
    i = value.next;
  }
}

/** Returns the start of the next `key=` after whitespace, or the end of the text. */
function nextPairStart(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) {
      i += 2;
      continue;
    }
    if (!isSpace(code)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    if (keyEnd(text, j) >= 0) return j;
    i = j;
  }
  return text.length;
}

/** Reads a value up to the whitespace before the next `key=`, decoding escapes. */
function readValue(text: string, from: number): { value: string; next: number } {
  let i = from;
  let segmentStart = from;
  let decoded = '';
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH && i + 1 < text.length) {
      decoded += text.slice(segmentStart, i) + unescapeExtension(text.charCodeAt(i + 1));
      i += 2;
      segmentStart = i;
      continue;
    }
    if (!isSpace(code)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && isSpace(text.charCodeAt(j))) j++;
    let k = j;
    while (k < text.length && isKeyChar(text.charCodeAt(k))) k++;
    if (k > j && text.charCodeAt(k) === EQUALS) {
      return { value: (decoded + text.slice(segmentStart, i)).trim(), next: j };
    }
    // The token after the whitespace is part of the value; resume after it.
    i = k;
  }
  return { value: (decoded + text.slice(segmentStart)).trim(), next: text.length };
}

function unescapeExtension(code: number): string {
  switch (code) {
    case 110: // n
      return '\n';
    case 114: // r
      return '\r';
    case EQUALS:
    case BACKSLASH:
    case PIPE:
      return String.fromCharCode(code);
    default:
      // Not a CEF escape: keep the backslash, as in Windows paths written unescaped.
      return `\\${String.fromCharCode(code)}`;
  }
}
