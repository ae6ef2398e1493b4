/**
 * Full garbage collections at the points of a large build where much of the heap has just become
 * garbage: the reading state once the feeds are read, and the indicators of the packs written. V8 sets its next heap limit from the live size that its last full collection
 * measured, often about twice that size (Node.js 20). Without these collections, a
 * 1,000,000-row build let its heap grow to about 1,000 MB with about 530 MB live.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Below this many indicators, which take about 500 bytes each, a collection costs more time than
 * the memory it frees is worth.
 */
const LARGE_BUILD_INDICATORS = 100_000;

/** A collection runs once the packs released since the last one contained this share of the indicators. */
const RELEASED_SHARE = 0.2;

/**
 * Collections after released packs. The first one lets V8 size its heap limit from what is still
 * live, and V8's own collections follow the shrinking live set from there. A forced collection
 * costs about 0.4 s in a build of 1,000,000 indicators (measured with `npm run bench`).
 */
const MAX_PACK_COLLECTIONS = 1;

let fullCollection: (() => void) | null | undefined;

/**
 * Returns V8's full garbage collection, or undefined when this Node.js does not expose it. The
 * `--expose-gc` flag set at run time gives `gc` to contexts made afterwards, such as the new
 * context made here. The main context stays without it.
 */
function exposedCollection(): (() => void) | undefined {
  if (fullCollection === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      fullCollection = typeof gc === 'function' ? (gc as () => void) : null;
    } catch {
      fullCollection = null;
    }
  }
  return fullCollection ?? undefined;
}

/**
 * Decides when a build collects garbage. A build of fewer than {@link LARGE_BUILD_INDICATORS}
 * indicators never does.
 */
export class BuildCollections {
  private readonly collect: (() => void) | undefined;
  private released = 0;
  private packCollections = 0;

  /**
   * @param indicators the number of indicators the build read.
   * @param collect the full collection to run, or null for none; default V8's own, when Node.js
   *   exposes it.
   */
  constructor(
    private readonly indicators: number,
    collect: (() => void) | null = exposedCollection() ?? null,
  ) {
    this.collect = indicators >= LARGE_BUILD_INDICATORS ? (collect ?? undefined) : undefined;
  }

  /** Collects the garbage of reading the feeds. */
  afterReading(): void {
    this.collect?.();
  }

  /**
   * Notes that a written pack's indicators are no longer referenced, and collects once the packs
   * released so far contain {@link RELEASED_SHARE} of the build's indicators, at most
   * {@link MAX_PACK_COLLECTIONS} times.
   */
  packReleased(indicators: number): void {
    this.released += indicators;
    if (!this.collect || this.packCollections >= MAX_PACK_COLLECTIONS) return;
    if (this.released < this.indicators * RELEASED_SHARE) return;
    this.released = 0;
    this.packCollections += 1;
    this.collect();
  }
}
