/**
 * Deciding, for each indicator, whether hunts use it, set it aside, or use it only as a full URL.
 *
 * Lists are checked in order and the first match decides, with one exception: for a URL, a list
 * whose `urlHostAction` is `full-url` only marks it, and a later list may still set it aside.
 * A URL is checked against lists for its kind and, through its host, against lists for domains
 * (a named host) or addresses (an address host).
 */
import {
  INDICATOR_KINDS,
  type Indicator,
  type IndicatorKind,
  type IpIndicator,
  type IpPortIndicator,
  type UrlIndicator,
} from '../../indicators/model.js';
import type { Allowlists } from './allowlists.js';
import { addLookupKeys, kindMask, type CombinedIndex, type IndexProbe } from './combined-index.js';
import { parseIpNumber, type IpNumber } from './ip-number.js';
import type { RegistrantResolver } from './registrant.js';
import type { AllowlistDecision, AllowlistResult, AllowlistSource } from './types.js';
import { ListProvenance } from '../../indicators/provenance.js';
import { urlEndpoint } from '../../indicators/url.js';

const URL_BY_NAME: readonly IndicatorKind[] = ['url', 'domain'];
const URL_BY_ADDRESS: readonly IndicatorKind[] = ['url', 'ip', 'ip-port'];

/**
 * Batches of up to this many indicators get an index of their own that holds only the list
 * entries their lookups read. Larger batches use the shared index of every entry, because their
 * lookup keys, several per host, cost more to collect than the entries cost to index. Measured
 * with `bench/allowlist.ts` on grown ThreatFox feeds, both took the same CPU time at 30,000 rows
 * and the batch index 7% more at 100,000. The real files of 4,479 and 12,310 rows gain about 20%.
 */
const BATCH_INDEX_MAX_INDICATORS = 20_000;

/**
 * The allowlists' outcome for one indicator: `decision`, and for a kept ip:port, the decision on
 * its bare address (`bare`), which when it sets the address aside limits hunts to the port.
 */
export interface IndicatorDecision {
  decision: AllowlistDecision;
  bare?: AllowlistDecision;
}

/** Outcomes by indicator, made beforehand; an indicator without one is kept as it is. */
export interface DecisionLookup {
  get(indicator: Indicator): IndicatorDecision | undefined;
}

/** The outcome of most indicators, shared by all of them. */
export const KEPT: IndicatorDecision = { decision: { action: 'keep' } };

/**
 * Splits indicators into those hunts use and those set aside, in input order. Every set-aside
 * indicator comes with its list, entry and reason; kept URLs that must be hunted as whole URLs
 * are listed in `fullUrl`.
 *
 * `decided` gives outcomes made beforehand, such as on another thread by
 * `BackgroundAllowlistDecisions`.
 */
export function applyAllowlists(
  indicators: Indicator[],
  lists: Allowlists,
  decided?: DecisionLookup,
): AllowlistResult {
  const result: AllowlistResult = { kept: [], setAside: [], fullUrl: [] };
  const decisions = decided ? undefined : decideIndicators(indicators, lists);
  for (const [position, indicator] of indicators.entries()) {
    const { decision, bare } = decisions?.[position] ?? decided?.get(indicator) ?? KEPT;
    if (decision.action === 'set-aside') {
      const { list, listVersion, entry, reason } = decision;
      result.setAside.push({ indicator, list, listVersion, entry, reason });
      continue;
    }
    result.kept.push(indicator);
    if ('matchAs' in decision && indicator.kind === 'url') {
      const { matchAs, list, listVersion, entry, reason, urlOnly } = decision;
      const match = { indicator, matchAs, list, listVersion, entry, reason };
      result.fullUrl.push(urlOnly ? { ...match, urlOnly } : match);
      indicator.exactOnly = urlOnly ? { list, entry, reason, urlOnly } : { list, entry, reason };
    } else if (indicator.kind === 'ip-port' && bare?.action === 'set-aside') {
      indicator.exactOnly = { list: bare.list, entry: bare.entry, reason: bare.reason };
    }
  }
  return result;
}

/**
 * Returns the outcome for each indicator, in input order. A batch small enough gets an index of
 * the list entries its lookups read (see {@link BATCH_INDEX_MAX_INDICATORS}); `shared` makes
 * every batch use the index of all entries, for a caller that sends many batches in turn.
 */
export function decideIndicators(
  indicators: readonly Indicator[],
  lists: Allowlists,
  options: { shared?: boolean } = {},
): IndicatorDecision[] {
  let probes: IndicatorProbe[] | undefined;
  let index: CombinedIndex | undefined;
  if (!options.shared && indicators.length <= BATCH_INDEX_MAX_INDICATORS) {
    probes = indicators.map((indicator) => new IndicatorProbe(indicator, lists.resolver));
    index = batchIndex(probes, lists);
  }
  return indicators.map((indicator, position) => {
    const probe = probes?.[position] ?? new IndicatorProbe(indicator, lists.resolver);
    const decision = decide(indicator, probe, lists, index ?? lists.indexFor(probe.kinds));
    if (decision.action !== 'keep' || 'matchAs' in decision) return { decision };
    if (indicator.kind !== 'ip-port') return KEPT;
    const bare = bareAddressDecision(indicator, lists);
    return bare.action === 'keep' ? KEPT : { decision, bare };
  });
}

/**
 * True for a URL whose key is its host alone: a name host, the root path, no query, and no port
 * or one that the key drops (80, 443), such as `https://t.me/` or `ws://t.me:80/`.
 */
function isHostOnlyUrl(indicator: UrlIndicator): boolean {
  if (indicator.hostKind !== 'domain' || indicator.pathAndQuery !== '/') return false;
  const port = indicator.port;
  return port === undefined || port === 80 || port === 443;
}

/** Returns the decision for the host of a URL as a `domain` indicator. */
function hostDecision(indicator: UrlIndicator, lists: Allowlists): AllowlistDecision {
  const { host } = indicator;
  return checkIndicator({ ...partContext(), kind: 'domain', value: host, domain: host }, lists);
}

/**
 * Returns the decision for the address of an ip:port as a bare `ip` indicator. A list that sets
 * the bare address aside but keeps the ip:port, such as rented cloud hosting, allows the
 * port-aware hunt only: the address-only hunt would flood with the address's other tenants.
 */
function bareAddressDecision(indicator: IpPortIndicator, lists: Allowlists): AllowlistDecision {
  const { address, addressFamily } = indicator;
  const bare: IpIndicator = {
    ...partContext(),
    kind: 'ip',
    value: address,
    address,
    addressFamily,
  };
  return checkIndicator(bare, lists);
}

/** Returns the empty context of an indicator made to check a part of another, such as its host. */
function partContext(): Pick<Indicator, 'tags' | 'references' | 'reporters' | 'provenance'> {
  return { tags: [], references: [], reporters: [], provenance: new ListProvenance([], []) };
}

/** Returns the allowlist decision for one indicator. */
export function checkIndicator(indicator: Indicator, lists: Allowlists): AllowlistDecision {
  const probe = new IndicatorProbe(indicator, lists.resolver);
  return decide(indicator, probe, lists, lists.indexFor(probe.kinds));
}

function batchIndex(probes: readonly IndicatorProbe[], lists: Allowlists): CombinedIndex {
  const wanted = new Set<string>();
  let kinds = 0;
  for (const probe of probes) {
    kinds |= probe.kinds;
    addLookupKeys(probe, wanted);
  }
  return lists.indexForBatch(kinds, wanted);
}

/** Decides with `index`, which contains every indexed list that applies to the probe's kinds. */
function decide(
  indicator: Indicator,
  probe: IndicatorProbe,
  lists: Allowlists,
  index: CombinedIndex,
): AllowlistDecision {
  const matches = lists.matches;
  matches.clear();
  index.lookup(probe, matches);

  // The index has the matches of the built-in lists; lists without an index, such as user
  // lists, are matched here. Both are then taken in check order.
  const indexed = matches.lists.length > 1 ? [...matches.lists].sort(byNumber) : matches.lists;
  const unindexed = lists.unindexedFor(probe.kinds);
  let fullUrl: { source: AllowlistSource; entry: string } | undefined;
  for (let i = 0, j = 0; i < indexed.length || j < unindexed.length;) {
    let list: number;
    let entry: string | undefined;
    if (j >= unindexed.length || (i < indexed.length && indexed[i]! < unindexed[j]!)) {
      list = indexed[i++]!;
      entry = matches.entry(list);
    } else {
      list = unindexed[j++]!;
      entry = lists.sources[list]!.compile().match(probe);
    }
    if (entry === undefined) continue;
    const source = lists.sources[list]!;
    if (indicator.kind === 'url' && source.urlHostAction === 'full-url') {
      fullUrl ??= { source, entry };
      continue;
    }
    return {
      action: 'set-aside',
      list: source.name,
      listVersion: source.version(),
      entry,
      reason: source.reasonFor(entry),
    };
  }
  if (!fullUrl || indicator.kind !== 'url') return { action: 'keep' };
  if (isHostOnlyUrl(indicator)) {
    // Logs such as DeviceNetworkEvents often record only the host of a connection, which has the
    // same URL key as the host's root URL. So the URL is hunted only where its host would be.
    // A hosting customer's site is huntable as a domain through customer-zones.
    const host = hostDecision(indicator, lists);
    if (host.action === 'set-aside') {
      return {
        ...host,
        reason: `the URL has no path or query, so a hunt on it would match every connection to its host ${indicator.host}, which this list sets aside as a domain.`,
      };
    }
  }
  const match = {
    action: 'keep',
    matchAs: 'full-url',
    list: fullUrl.source.name,
    listVersion: fullUrl.source.version(),
    entry: fullUrl.entry,
  } as const;
  const described = `the host ${indicator.host} is ${fullUrl.source.describe(fullUrl.entry)}`;
  if (indicator.hostKind === 'domain') {
    return {
      ...match,
      reason: `kept as a full-URL match: ${described}, so a hunt on the host alone would flood; hunts match this exact URL only.`,
    };
  }
  if (endpointDecision(indicator, lists)?.action === 'set-aside') {
    return {
      ...match,
      reason: `kept as a full-URL match: ${described}, so a hunt on the address would flood, even on the URL's port; hunts match this exact URL only.`,
      urlOnly: true,
    };
  }
  return {
    ...match,
    reason: `kept as a full-URL match: ${described}, so a hunt on the address alone would flood; hunts match this exact URL, and its address only on the URL's port.`,
  };
}

/**
 * Returns the decision for the address and port that a connection to a URL on an address uses
 * (its port or its scheme's), as an `ip-port` indicator, or undefined for a scheme without one.
 */
function endpointDecision(
  indicator: UrlIndicator,
  lists: Allowlists,
): AllowlistDecision | undefined {
  const endpoint = urlEndpoint(indicator.url);
  if (endpoint?.port === undefined) return undefined;
  const { address, port } = endpoint;
  const addressFamily = indicator.hostKind === 'ipv6' ? 'ipv6' : 'ipv4';
  const value = addressFamily === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`;
  const ipPort: IpPortIndicator = {
    ...partContext(),
    kind: 'ip-port',
    value,
    address,
    addressFamily,
    port,
  };
  return checkIndicator(ipPort, lists);
}

function byNumber(a: number, b: number): number {
  return a - b;
}

const KIND_MASKS = Object.fromEntries(
  INDICATOR_KINDS.map((kind) => [kind, kindMask([kind])]),
) as Record<IndicatorKind, number>;
const URL_BY_NAME_MASK = kindMask(URL_BY_NAME);
const URL_BY_ADDRESS_MASK = kindMask(URL_BY_ADDRESS);

/**
 * The parts of one indicator that lists compare, extracted once for all lists. The registered
 * domain of the host is resolved on first read, because only lists with subdomain entries that
 * match need it, and the first resolution loads the dynamic DNS zones. The lower-case value is
 * also made on first read, because only string lists compare it.
 */
class IndicatorProbe implements IndexProbe {
  readonly kind: IndicatorKind;
  readonly value: string;
  readonly kinds: number;
  readonly address: IpNumber | undefined;
  readonly host: string | undefined;
  readonly url: string | undefined;
  private suffixLength: number | undefined;
  private lowerCaseValue: string | undefined;

  constructor(
    indicator: Indicator,
    private readonly resolver: RegistrantResolver,
  ) {
    this.kind = indicator.kind;
    this.value = indicator.value;
    this.kinds = KIND_MASKS[indicator.kind];
    this.address = undefined;
    this.host = undefined;
    this.url = undefined;
    switch (indicator.kind) {
      case 'ip':
      case 'ip-port':
        this.address = parseAddress(indicator.address);
        break;
      case 'domain':
        this.host = hostName(indicator.domain);
        this.value = this.host;
        break;
      case 'url':
        this.url = indicator.url;
        if (indicator.hostKind === 'domain') {
          this.kinds = URL_BY_NAME_MASK;
          this.host = hostName(indicator.host);
        } else {
          this.kinds = URL_BY_ADDRESS_MASK;
          this.address = parseAddress(indicator.host);
        }
        break;
      case 'md5':
      case 'sha1':
      case 'sha256':
        this.value = indicator.hash.toLowerCase();
        break;
    }
  }

  get valueKey(): string | undefined {
    if (this.host !== undefined && this.url === undefined) return undefined;
    return (this.lowerCaseValue ??= (
      this.host === undefined ? this.value : this.url!
    ).toLowerCase());
  }

  get minSuffixLength(): number | undefined {
    if (this.host === undefined) return undefined;
    return (this.suffixLength ??= this.resolver.minSuffixLength(this.host));
  }
}

function hostName(host: string): string {
  const name = host.toLowerCase();
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function parseAddress(text: string): IpNumber | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpNumber(bare);
}
