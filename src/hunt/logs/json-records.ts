/**
 * Splits JSON log files into records without reading them whole: JSON lines (one value per
 * line, leading spaces allowed) or one JSON array, pretty-printed or not, whose elements are
 * cut out one by one by tracking brackets and strings.
 */

/** The text of one JSON value and the line it starts on. */
export interface JsonRecordText {
  line: number;
  text: string;
}

/**
 * Cuts the elements out of a JSON array fed to it line by line. A scalar element (a number,
 * string, true, false or null) is cut out too, so that the reader counts it and rejects it as no
 * event, and a run of objects outside an array yields its objects only.
 */
export class JsonArraySplitter {
  private opened = false;
  private closed = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** True while a string element of the array itself is read, at depth 0. */
  private inScalarString = false;
  private element = '';
  private elementLine = 0;

  /** Feeds one line; returns the elements that ended on it. */
  push(line: string, lineNumber: number): JsonRecordText[] {
    const done: JsonRecordText[] = [];
    let segmentStart = this.depth > 0 || this.inString ? 0 : -1;
    for (let i = 0; i < line.length; i++) {
      const code = line.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === 92) this.escaped = true;
        else if (code === 34) {
          this.inString = false;
          if (this.inScalarString) {
            this.inScalarString = false;
            done.push({
              line: this.elementLine,
              text: this.element + line.slice(segmentStart, i + 1),
            });
            this.element = '';
            segmentStart = -1;
          }
        }
        continue;
      }
      if (this.depth === 0) {
        if (code === 91 && !this.opened) this.opened = true;
        else if (code === 93) this.closed = true;
        else if (code === 123 || code === 91) {
          this.depth = 1;
          this.element = '';
          this.elementLine = lineNumber;
          segmentStart = i;
        } else if (this.opened && !this.closed && code === 34) {
          this.inString = true;
          this.inScalarString = true;
          this.element = '';
          this.elementLine = lineNumber;
          segmentStart = i;
        } else if (this.opened && !this.closed && !isSeparator(code)) {
          // A number, true, false or null ends at a comma, a bracket or white space, on its line.
          let end = i + 1;
          while (
            end < line.length &&
            !isSeparator(line.charCodeAt(end)) &&
            line.charCodeAt(end) !== 93
          )
            end++;
          done.push({ line: lineNumber, text: line.slice(i, end) });
          i = end - 1;
        }
        continue;
      }
      if (code === 34) this.inString = true;
      else if (code === 123 || code === 91) this.depth++;
      else if (code === 125 || code === 93) {
        this.depth--;
        if (this.depth === 0) {
          done.push({
            line: this.elementLine,
            text: this.element + line.slice(segmentStart, i + 1),
          });
          this.element = '';
          segmentStart = -1;
        }
      }
    }
    if (segmentStart >= 0) this.element += `${line.slice(segmentStart)}\n`;
    return done;
  }

  /** Returns the unfinished element at the end of input, if the array was cut short. */
  finish(): JsonRecordText | undefined {
    if (this.depth > 0 || this.inString) return { line: this.elementLine, text: this.element };
    return undefined;
  }

  /** True once the closing `]` of the array has been read. */
  get isClosed(): boolean {
    return this.closed;
  }
}

/** Tells whether a character code is a comma or JSON white space, which separate elements. */
function isSeparator(code: number): boolean {
  return code === 44 || code === 32 || code === 9 || code === 10 || code === 13;
}

/**
 * Returns the events of an Event Hub batch, `{"records": [...]}` as the Defender streaming API
 * and Azure diagnostic settings deliver them, or undefined for any other value.
 */
export function batchRecords(value: unknown): unknown[] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const batch = value as Record<string, unknown>;
  // Other keys of the message, such as a partition, may come beside the records of a batch,
  // but no event of the envelope has a records array.
  if (!Array.isArray(batch.records) || 'properties' in batch || 'category' in batch) {
    return undefined;
  }
  return batch.records as unknown[];
}

/** Tells whether `text` is one whole JSON value. */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
