/**
 * A hash index from kind and canonical value to a position in a list of indicators, for merging
 * feeds of a million indicators. It uses open addressing with linear probing over one
 * Int32Array, so it allocates nothing per indicator and gives the garbage collector nothing to
 * trace, unlike a Map with a million string keys.
 */
import type { Indicator } from './model.js';

const INITIAL_CAPACITY = 1024;

export class IndicatorIndex {
  /** Pairs of hash and position plus one. A stored position of 0 marks an empty slot. */
  private slots = new Int32Array(INITIAL_CAPACITY * 2);
  private capacity = INITIAL_CAPACITY;
  private size = 0;

  /** `indicators` is the list that positions point into, read to compare values. */
  constructor(private readonly indicators: readonly Indicator[]) {}

  /**
   * Returns the position of an indicator with the kind and value of `indicator`. When there is
   * none, records `position` as the place of `indicator` and returns -1.
   */
  findOrAdd(indicator: Indicator, position: number): number {
    const hash = hashOf(indicator);
    const mask = this.capacity - 1;
    const slots = this.slots;
    let slot = hash & mask;
    for (;;) {
      const stored = slots[slot * 2 + 1]!;
      if (stored === 0) break;
      if (slots[slot * 2] === hash) {
        const other = this.indicators[stored - 1]!;
        if (other.value === indicator.value && other.kind === indicator.kind) return stored - 1;
      }
      slot = (slot + 1) & mask;
    }
    slots[slot * 2] = hash;
    slots[slot * 2 + 1] = position + 1;
    this.size += 1;
    // Past half full, probe runs grow long, so the table doubles.
    if (this.size * 2 > this.capacity) this.grow();
    return -1;
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Int32Array(this.capacity * 2);
    const mask = this.capacity - 1;
    for (let index = 0; index < old.length; index += 2) {
      const stored = old[index + 1]!;
      if (stored === 0) continue;
      let slot = old[index]! & mask;
      while (this.slots[slot * 2 + 1] !== 0) slot = (slot + 1) & mask;
      this.slots[slot * 2] = old[index]!;
      this.slots[slot * 2 + 1] = stored;
    }
  }
}

/**
 * FNV-1a over the UTF-16 code units of the value, started from a seed that differs for each
 * kind (no two kinds share both length and first letter).
 */
function hashOf(indicator: Indicator): number {
  const { kind, value } = indicator;
  let hash = ((kind.length << 8) | kind.charCodeAt(0)) ^ 0x811c9dc5;
  for (let index = 0; index < value.length; index += 1) {
    hash = Math.imul(hash ^ value.charCodeAt(index), 0x01000193);
  }
  return hash;
}
