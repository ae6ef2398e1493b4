/**
 * Texts made from the frozen lists that indicators share. Feed readers give every record with
 * the same tags, references or reporters one frozen list, so a pack has far fewer distinct lists
 * than indicators, and each text is made once.
 */
export class ListTextCache {
  private readonly texts = new WeakMap<readonly string[], string>();

  constructor(private readonly makeText: (list: readonly string[]) => string) {}

  /** Returns the text of `list`, made once for a frozen list and each time for any other. */
  get(list: readonly string[]): string {
    // Only a frozen list cannot change after its text is made.
    if (!Object.isFrozen(list)) return this.makeText(list);
    let text = this.texts.get(list);
    if (text === undefined) {
      text = this.makeText(list);
      this.texts.set(list, text);
    }
    return text;
  }
}

/** Most values a {@link ValueTextCache} keeps; a feed with more distinct ones gets the rest made each time. */
const MAX_CACHED_VALUES = 10_000;

/**
 * Texts made from values that few distinct ones fill, such as kinds, threat types and
 * confidences, made once each: a pack can hold a million indicators.
 */
export class ValueTextCache<K> {
  private readonly texts = new Map<K, string>();

  constructor(private readonly makeText: (value: K) => string) {}

  get(value: K): string {
    let text = this.texts.get(value);
    if (text === undefined) {
      text = this.makeText(value);
      if (this.texts.size < MAX_CACHED_VALUES) this.texts.set(value, text);
    }
    return text;
  }
}
