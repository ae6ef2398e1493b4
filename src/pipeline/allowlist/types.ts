/**
 * Types shared by the allowlist loaders, matchers and the decision step.
 */
import type { Indicator, IndicatorKind, UrlIndicator } from '../../indicators/model.js';
import type { CombinedIndex } from './combined-index.js';
import type { IpNumber } from './ip-number.js';

/** An indicator that no hunt will use, with the list entry that matched and why. */
export interface SetAside {
  indicator: Indicator;
  /** List name: a MISP warninglist name, `special-ranges`, `trusted-platforms` or `user:<file>`. */
  list: string;
  /** The list's version: MISP's integer (a counter or a yyyymmdd date), or a content hash. */
  listVersion: string | number;
  /** The matching entry exactly as the list writes it, such as `2001:DB8::/32` or `.google.ad`. */
  entry: string;
  /** A sentence that states why the indicator cannot be attacker infrastructure or would flood. */
  reason: string;
}

/**
 * A URL indicator that is kept but must be hunted as the whole URL, never as its host, because
 * the host is a shared platform or a popular site where a host-wide hunt would flood.
 */
export interface FullUrlMatch {
  indicator: UrlIndicator;
  matchAs: 'full-url';
  list: string;
  listVersion: string | number;
  entry: string;
  reason: string;
  /** True when the URL's address and port are set aside too, so hunts match the URL alone. */
  urlOnly?: true;
}

/** The outcome of the allowlists for one indicator. */
export type AllowlistDecision =
  | { action: 'keep' }
  | ({ action: 'keep' } & Omit<FullUrlMatch, 'indicator'>)
  | ({ action: 'set-aside' } & Omit<SetAside, 'indicator'>);

/** The outcome for a batch: every input indicator is in `kept` or in `setAside`, never both. */
export interface AllowlistResult {
  kept: Indicator[];
  setAside: SetAside[];
  /** The kept URL indicators that hunts must match as full URLs. */
  fullUrl: FullUrlMatch[];
}

/** The action for a URL indicator whose host matches a list. */
export type UrlHostAction = 'set-aside' | 'full-url';

/** The parts of an indicator that lists compare against, extracted once per indicator. */
export interface Probe {
  kind: IndicatorKind;
  /** Canonical indicator text; lower case for domains and hashes. */
  value: string;
  /** The address of an `ip` or `ip-port` indicator, or the host of a URL when it is an address. */
  address?: IpNumber;
  /** Lower-case host name of a `domain` indicator, or of a URL when its host is a name. */
  host?: string;
  /**
   * Length of the host's registered domain (see `RegistrantResolver`): subdomain entries of
   * built-in lists shorter than this do not match. Infinity when the host is a public suffix.
   */
  minSuffixLength?: number;
  /** Parent names of `host`, nearest first; matchers compute them from `host` when absent. */
  hostParents?: string[];
  /** The normalized URL of a `url` indicator. */
  url?: string;
}

/** A list ready for lookups. */
export interface CompiledList {
  /** Returns the matching entry as the list writes it, or undefined. */
  match(probe: Probe): string | undefined;
  /** Number of usable entries. */
  readonly entryCount: number;
  /** Entries that cannot be used, such as host names containing `/`. */
  readonly skippedEntries: readonly string[];
}

/** One allowlist with its policy; its entries are read and indexed on first use. */
export interface AllowlistSource {
  readonly name: string;
  /** Indicator kinds the list applies to, from MISP `matching_attributes` or the list's design. */
  readonly kinds: ReadonlySet<IndicatorKind>;
  /** The action when a URL's host matches. Lists without host names or addresses never match one. */
  readonly urlHostAction: UrlHostAction;
  /** Returns why an indicator that matched the entry is set aside. */
  reasonFor(entry: string): string;
  /** Returns a noun phrase for what the entry is, used in full-URL reasons: `a popular site (...)`. */
  describe(entry: string): string;
  /** Version, available once the list is read. */
  version(): string | number;
  compile(): CompiledList;
  /**
   * Reads the list and adds its entries to the index shared by the built-in lists, under the
   * list id `list`. Lists without it, such as user lists, are matched one by one with `compile()`.
   */
  indexInto?(index: CombinedIndex, list: number): void;
}
