/**
 * A set of keys for dropping repeated list items, such as a record's tags. Feed lists are short as
 * a rule, where an array search is cheaper than a Set, but a feed may give one record a million
 * tags, where searching the array for each would take minutes. So the keys move into a Set once
 * they are many.
 */

/** Keys kept in an array before they move into a Set. */
const ARRAY_KEYS = 16;

export class SeenKeys {
  private keys: string[] | undefined = [];
  private set: Set<string> | undefined;

  /** Adds `key` and returns true when it was not there yet. */
  add(key: string): boolean {
    const keys = this.keys;
    if (keys === undefined) {
      const size = this.set!.size;
      this.set!.add(key);
      return this.set!.size !== size;
    }
    if (keys.includes(key)) return false;
    keys.push(key);
    if (keys.length > ARRAY_KEYS) {
      this.set = new Set(keys);
      this.keys = undefined;
    }
    return true;
  }
}
