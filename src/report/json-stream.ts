/**
 * JSON for documents too large to hold as one string: lists marked as {@link StreamedArray} are
 * serialized one element at a time, each on its own line.
 */
import type { TextFileWriter } from './text-file-writer.js';

/**
 * A list whose JSON elements are made only while it is written. `JSON.stringify` gets an
 * ordinary array from `toJSON`, so a small document can still be written in one call.
 */
export class StreamedArray<S, T = S> {
  /**
   * @param toJson turns an item of `source` into the element's JSON value.
   * @param toJsonText writes an item straight as JSON text, faster than `JSON.stringify` for large
   *   lists; it must return exactly what `JSON.stringify(toJson(item))` returns.
   */
  constructor(
    readonly source: readonly S[],
    readonly toJson: (item: S) => T,
    readonly toJsonText?: (item: S) => string,
  ) {}

  toJSON(): T[] {
    return this.source.map((item) => this.toJson(item));
  }

  /** Returns the JSON text of one item of `source`. */
  textOf(item: S): string {
    if (this.toJsonText) return this.toJsonText(item);
    // JSON.stringify writes an element without a JSON form as null.
    return JSON.stringify(this.toJson(item)) ?? 'null';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Returns `value` with each streamed list made into an ordinary array, in plain-object members too. */
export function materializeStreamed(value: unknown): unknown {
  if (value instanceof StreamedArray) return value.toJSON();
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key, materializeStreamed(member)]),
  );
}

/** Tells whether a streamed list sits in `value`, directly or in its plain-object members. */
function holdsStreamedArray(value: unknown): boolean {
  if (value instanceof StreamedArray) return true;
  if (!isPlainObject(value)) return false;
  return Object.values(value).some(holdsStreamedArray);
}

/**
 * Writes `value` as compact JSON. Objects that hold streamed lists are written member by member
 * and the lists element by element, one per line, so only one element's text exists at a time.
 * Everything else goes through `JSON.stringify`; the output parses to what
 * `JSON.stringify(value)` gives.
 */
export function writeJson(value: unknown, out: Pick<TextFileWriter, 'write'>): void {
  if (value instanceof StreamedArray) {
    const list = value as StreamedArray<unknown, unknown>;
    let first = true;
    out.write('[');
    for (const item of list.source) {
      out.write(first ? '\n' : ',\n');
      out.write(list.textOf(item));
      first = false;
    }
    out.write(first ? ']' : '\n]');
    return;
  }
  if (!isPlainObject(value) || !holdsStreamedArray(value)) {
    out.write(JSON.stringify(value) ?? 'null');
    return;
  }
  let first = true;
  out.write('{');
  for (const [key, member] of Object.entries(value)) {
    // JSON.stringify leaves out members whose value has no JSON form.
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol')
      continue;
    out.write(first ? '\n' : ',\n');
    out.write(`${JSON.stringify(key)}:`);
    writeJson(member, out);
    first = false;
  }
  out.write(first ? '}' : '\n}');
}
