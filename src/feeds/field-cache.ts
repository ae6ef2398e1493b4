/**
 * Caches for values that repeat from row to row of a feed, such as a family name or a time, so
 * that each distinct value is built once and shared.
 */
import { detachText } from './input.js';
import { parseThreatFoxMillis } from './threatfox-time.js';

/**
 * Values made once per distinct text of a field. Consecutive rows often repeat a field, so the
 * text of the row before is compared first, which is cheaper than a map lookup. The map keys
 * are copies of their own, so that no key keeps a whole chunk of the input in memory. Only the
 * last text may be a slice, which keeps at most one chunk until the next row replaces it.
 */
export class FieldCache<T> {
  private readonly values = new Map<string, T>();
  private lastText: string | undefined;
  private lastValue!: T;

  constructor(private readonly make: (text: string) => T) {}

  get(text: string): T {
    if (text === this.lastText) return this.lastValue;
    let value = this.values.get(text);
    if (value === undefined) {
      const key = detachText(text);
      value = this.make(key);
      this.values.set(key, value);
      text = key;
    }
    this.lastText = text;
    this.lastValue = value;
    return value;
  }
}

/** Times remembered per field, in a direct-mapped table: a new time replaces an old one. */
const TIME_CACHE_SIZE = 4096;

/**
 * Parsed times, so that rows with the same time share one Date. Rows of an export are sorted by
 * time and often repeat the time of a row just before, which is compared first.
 */
export class TimeCache {
  private readonly millis = new Float64Array(TIME_CACHE_SIZE).fill(NaN);
  private readonly dates: Array<Date | undefined> = new Array<Date | undefined>(
    TIME_CACHE_SIZE,
  ).fill(undefined);
  private lastText = '';
  private lastDate: Date | undefined;

  /** Returns the time of `shown`, or undefined when it is no ThreatFox time. */
  get(shown: string): Date | undefined {
    if (shown === this.lastText) return this.lastDate;
    const date = this.parse(shown);
    // Only one text is kept, so a slice keeps at most one chunk until the next row.
    this.lastText = shown;
    this.lastDate = date;
    return date;
  }

  private parse(shown: string): Date | undefined {
    const millis = parseThreatFoxMillis(shown);
    if (Number.isNaN(millis)) return undefined;
    const slot = Math.floor(millis / 1000) & (TIME_CACHE_SIZE - 1);
    if (this.millis[slot] === millis) return this.dates[slot];
    const date = new Date(millis);
    this.millis[slot] = millis;
    this.dates[slot] = date;
    return date;
  }
}
