/**
 * Parses CEF messages (ArcSight Common Event Format, versions 0 and 1) with no regular
 * expression on the message itself. {@link CefLineScan} finds the header fields and the
 * position of every extension pair in one pass; values are cut out and decoded only when read.
 *
 * Escaping follows the CEF specification: in header fields `\|` and `\\`; in extension values
 * `\=`, `\\`, `\n` and `\r`. An extension key is a token of `[A-Za-z0-9_.[\]-]` followed by `=`
 * at the start or after whitespace, so a value may contain spaces and unescaped `=` (URLs,
 * base64). Whitespace after an odd number of backslashes is escaped and ends no value.
 */

import { quoteValue } from '../../errors.js';

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

/** Hashes a key from its last character to its first, as the scan meets it. */
function addToKeyHash(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
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

/** Index after the `|` that ended the field {@link readHeaderField} read last. */
let headerFieldEnd = 0;

/**
 * Reads one header field ending at an unescaped `|` and sets {@link headerFieldEnd}; returns
 * undefined when no `|` follows.
 */
function readHeaderField(text: string, from: number, lastBackslash: number): string | undefined {
  const pipe = text.indexOf('|', from);
  if (pipe < 0) return undefined;
  const backslash = lastBackslash < from ? -1 : text.indexOf('\\', from);
  if (backslash < 0 || backslash > pipe) {
    headerFieldEnd = pipe + 1;
    return text.slice(from, pipe).trim();
  }
  let i = from;
  let segmentStart = from;
  let value = '';
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === PIPE) {
      value += text.slice(segmentStart, i);
      headerFieldEnd = i + 1;
      return value.trim();
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

function hasPipeBeforeEquals(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === EQUALS) return false;
    if (code === PIPE) return true;
  }
  return false;
}

/** True when the character at `index` follows an odd run of backslashes, so it is escaped. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(index - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
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

/**
 * Decodes the escapes of an extension value from `start` to `end` and trims it. A backslash
 * that is the last character of the text starts no escape.
 */
function readExtensionValue(text: string, start: number, end: number): string {
  let backslash = text.indexOf('\\', start);
  if (backslash < 0 || backslash >= end) return text.slice(start, end).trim();
  let decoded = '';
  let segmentStart = start;
  while (backslash >= 0 && backslash < end) {
    if (backslash + 1 >= text.length) break;
    decoded +=
      text.slice(segmentStart, backslash) + unescapeExtension(text.charCodeAt(backslash + 1));
    segmentStart = backslash + 2;
    backslash = text.indexOf('\\', segmentStart);
  }
  return (decoded + text.slice(segmentStart, end)).trim();
}

/** The `=` index and the hash of the key that {@link findNextKey} found last. */
const found = new Int32Array(2);

/**
 * Returns the start of the first key after `from` (a key-character run that follows unescaped
 * whitespace and ends at `=`), or the end of the text. Leaves that key's `=` index and hash in
 * `result`.
 */
function findNextKey(text: string, from: number, result: Int32Array): number {
  let equals = text.indexOf('=', from);
  while (equals >= 0) {
    let k = equals - 1;
    let hash = 0;
    let code = text.charCodeAt(k);
    while (k >= from && isKeyChar(code)) {
      hash = addToKeyHash(hash, code);
      code = text.charCodeAt(--k);
    }
    if (k < equals - 1 && k >= from && isSpace(code) && !isEscaped(text, k)) {
      result[0] = equals;
      result[1] = hash;
      return k + 1;
    }
    equals = text.indexOf('=', equals + 1);
  }
  return text.length;
}

export type CefScanError = { code: string; message: string };

const INITIAL_PAIRS = 64;

/**
 * The parts of one CEF line: header fields and the positions of the extension pairs. One scan
 * object is reused line after line, so a line costs no allocation beyond its header strings.
 */
export class CefLineScan {
  text = '';
  /** Index of `CEF:`, which ends the prefix. */
  cefStart = 0;
  versionStart = 0;
  versionEnd = 0;
  /** Vendor, product, device version, signature id, name and severity, decoded and trimmed. */
  readonly header: string[] = [];
  /** Text in the extension that is not `key=value`; only a leading part can be. */
  readonly strayText: string[] = [];
  pairCount = 0;
  /** Index of the last backslash in the line, or -1. */
  lastBackslash = -1;
  /** Per pair: index of the key, of its `=`, and the key's hash (see {@link CefKeyTable}). */
  keyStarts: Int32Array = new Int32Array(INITIAL_PAIRS);
  equalsAt: Int32Array = new Int32Array(INITIAL_PAIRS);
  keyHashes: Int32Array = new Int32Array(INITIAL_PAIRS);
  private nextEquals = 0;
  private nextHash = 0;

  /** Scans a line; returns an error when it has no complete CEF header. */
  scan(text: string): CefScanError | undefined {
    this.text = text;
    this.pairCount = 0;
    // lastIndexOf is many times slower than indexOf here, and most lines have no backslash.
    this.lastBackslash = text.indexOf('\\') < 0 ? -1 : text.lastIndexOf('\\');
    this.header.length = 0;
    this.strayText.length = 0;
    const found = findCefStart(text);
    if (found.start < 0) {
      return { code: 'NOT_CEF', message: 'No "CEF:<version>|" found in the line.' };
    }
    this.cefStart = found.start;
    this.versionStart = found.versionStart;
    this.versionEnd = found.pipe;

    let position = found.pipe + 1;
    for (let n = 0; n < 6; n++) {
      const field = readHeaderField(text, position, this.lastBackslash);
      if (field === undefined) return incompleteHeader(this.header.length, text, found.start);
      this.header.push(field);
      position = headerFieldEnd;
    }
    // Some Check Point exports write `CEF:0||Check Point|...`: an empty field before the vendor.
    // The header then has one field too many, which shows as a `|` before the first `=`.
    if (this.header[0] === '' && hasPipeBeforeEquals(text, position)) {
      const field = readHeaderField(text, position, this.lastBackslash);
      if (field === undefined) return incompleteHeader(6, text, found.start);
      this.header.shift();
      this.header.push(field);
      position = headerFieldEnd;
    }
    this.scanExtension(position);
    return undefined;
  }

  /** Returns the decoded, trimmed value of pair `index`. */
  value(index: number): string {
    const start = this.equalsAt[index]! + 1;
    const end = index + 1 < this.pairCount ? this.keyStarts[index + 1]! : this.text.length;
    // Most lines have no backslash, and then no value needs decoding.
    if (start > this.lastBackslash) return this.text.slice(start, end).trim();
    return readExtensionValue(this.text, start, end);
  }

  /** Returns the key of pair `index`. */
  key(index: number): string {
    return this.text.slice(this.keyStarts[index], this.equalsAt[index]);
  }

  private scanExtension(from: number): void {
    const text = this.text;
    let i = from;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i >= text.length) return;

    let equals = i;
    while (equals < text.length && isKeyChar(text.charCodeAt(equals))) equals++;
    if (equals > i && text.charCodeAt(equals) === EQUALS) {
      this.nextEquals = equals;
      this.nextHash = 0;
      for (let k = equals - 1; k >= i; k--) {
        this.nextHash = addToKeyHash(this.nextHash, text.charCodeAt(k));
      }
    } else {
      // Text that is not `key=`: keep it for a warning and go on at the next pair.
      const next = findNextKey(text, i, found);
      this.nextEquals = found[0]!;
      this.nextHash = found[1]!;
      const stray = text.slice(i, next).trim();
      if (stray !== '') this.strayText.push(stray);
      i = next;
    }
    while (i < text.length) {
      this.addPair(i, this.nextEquals, this.nextHash);
      i = findNextKey(text, this.nextEquals + 1, found);
      this.nextEquals = found[0]!;
      this.nextHash = found[1]!;
    }
  }

  private addPair(keyStart: number, equals: number, hash: number): void {
    if (this.pairCount === this.keyStarts.length) {
      const grow = (array: Int32Array): Int32Array => {
        const grown = new Int32Array(array.length * 2);
        grown.set(array);
        return grown;
      };
      this.keyStarts = grow(this.keyStarts);
      this.equalsAt = grow(this.equalsAt);
      this.keyHashes = grow(this.keyHashes);
    }
    this.keyStarts[this.pairCount] = keyStart;
    this.equalsAt[this.pairCount] = equals;
    this.keyHashes[this.pairCount] = hash;
    this.pairCount++;
  }
}

function incompleteHeader(fieldsFound: number, text: string, cefStart: number): CefScanError {
  return {
    code: 'INCOMPLETE_CEF_HEADER',
    message: `CEF header ${quoteValue(text.slice(cefStart))} has ${fieldsFound} of the 6 "|"-terminated fields after the version: expected CEF:Version|Vendor|Product|DeviceVersion|SignatureID|Name|Severity|Extension.`,
  };
}

/**
 * Looks up extension keys found by a {@link CefLineScan} without cutting them out of the line:
 * an open-addressing table over the scan's key hashes, checked character by character.
 */
export class CefKeyTable {
  private readonly slots: Int32Array;
  private readonly mask: number;

  /** Takes the keys whose index passes `include`, by default all. */
  constructor(
    readonly keys: readonly string[],
    include: (id: number) => boolean = () => true,
  ) {
    let size = 16;
    while (size < keys.length * 4) size *= 2;
    this.slots = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    keys.forEach((key, id) => {
      if (!include(id)) return;
      let hash = 0;
      for (let k = key.length - 1; k >= 0; k--) hash = addToKeyHash(hash, key.charCodeAt(k));
      let slot = hash & this.mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & this.mask;
      this.slots[slot] = id;
    });
  }

  /** Returns the index in `keys` of the key of pair `index`, or -1 when it is not included. */
  find(scan: CefLineScan, index: number): number {
    const start = scan.keyStarts[index]!;
    const length = scan.equalsAt[index]! - start;
    const text = scan.text;
    let slot = scan.keyHashes[index]! & this.mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0) return -1;
      const key = this.keys[id]!;
      if (key.length === length) {
        let k = 0;
        while (k < length && key.charCodeAt(k) === text.charCodeAt(start + k)) k++;
        if (k === length) return id;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

const scratch = new CefLineScan();

/** Parses the CEF message inside a line; the line may start with a syslog header. */
export function parseCef(text: string): CefParseResult {
  const error = scratch.scan(text);
  if (error) return { ok: false, ...error };
  const extension: CefMessage['extension'] = [];
  for (let i = 0; i < scratch.pairCount; i++) extension.push([scratch.key(i), scratch.value(i)]);
  const [vendor, product, deviceVersion, signatureId, name, severity] = scratch.header;
  return {
    ok: true,
    message: {
      prefix: text.slice(0, scratch.cefStart),
      version: text.slice(scratch.versionStart, scratch.versionEnd),
      vendor: vendor ?? '',
      product: product ?? '',
      deviceVersion: deviceVersion ?? '',
      signatureId: signatureId ?? '',
      name: name ?? '',
      severity: severity ?? '',
      extension,
      strayText: [...scratch.strayText],
    },
  };
}
