/**
 * Deciding, for each indicator, whether hunts use it, set it aside, or use it only as a full URL.
 *
 * Lists are checked in order and the first match decides, with one exception: for a URL, a list
 * whose `urlHostAction` is `full-url` only marks it, and a later list may still set it aside.
 * A URL is checked against lists for its kind and, through its host, against lists for domains
 * (a named host) or addresses (an address host).
 */
import type { Indicator, IndicatorKind } from '../../indicators/model.js';
import type { Allowlists } from './allowlists.js';
import { parentNames } from './host-index.js';
import { parseIpNumber, type IpNumber } from './ip-number.js';
import type { AllowlistDecision, AllowlistResult, AllowlistSource, Probe } from './types.js';

const URL_BY_NAME: readonly IndicatorKind[] = ['url', 'domain'];
const URL_BY_ADDRESS: readonly IndicatorKind[] = ['url', 'ip', 'ip-port'];

/**
 * Splits indicators into those hunts use and those set aside, in input order. Every set-aside
 * indicator comes with its list, entry and reason; kept URLs that must be hunted as whole URLs
 * are listed in `fullUrl`.
 */
export function applyAllowlists(indicators: Indicator[], lists: Allowlists): AllowlistResult {
  const result: AllowlistResult = { kept: [], setAside: [], fullUrl: [] };
  for (const indicator of indicators) {
    const decision = checkIndicator(indicator, lists);
    if (decision.action === 'set-aside') {
      const { list, listVersion, entry, reason } = decision;
      result.setAside.push({ indicator, list, listVersion, entry, reason });
      continue;
    }
    result.kept.push(indicator);
    if ('matchAs' in decision && indicator.kind === 'url') {
      const { matchAs, list, listVersion, entry, reason } = decision;
      result.fullUrl.push({ indicator, matchAs, list, listVersion, entry, reason });
    }
  }
  return result;
}

/** Returns the allowlist decision for one indicator. */
export function checkIndicator(indicator: Indicator, lists: Allowlists): AllowlistDecision {
  const probe = probeIndicator(indicator, lists);
  let fullUrl: { source: AllowlistSource; entry: string } | undefined;
  for (const source of lists.sourcesFor(probeKinds(indicator))) {
    const entry = source.compile().match(probe);
    if (entry === undefined) continue;
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
  return {
    action: 'keep',
    matchAs: 'full-url',
    list: fullUrl.source.name,
    listVersion: fullUrl.source.version(),
    entry: fullUrl.entry,
    reason: `kept as a full-URL match: the host ${indicator.host} is ${fullUrl.source.describe(fullUrl.entry)}, so a hunt on the host alone would flood; hunts match this exact URL only.`,
  };
}

function probeKinds(indicator: Indicator): readonly IndicatorKind[] {
  if (indicator.kind !== 'url') return [indicator.kind];
  return indicator.hostKind === 'domain' ? URL_BY_NAME : URL_BY_ADDRESS;
}

function probeIndicator(indicator: Indicator, lists: Allowlists): Probe {
  switch (indicator.kind) {
    case 'ip':
    case 'ip-port':
      return {
        kind: indicator.kind,
        value: indicator.value,
        address: parseAddress(indicator.address),
      };
    case 'domain':
      return hostProbe(indicator, indicator.domain, lists);
    case 'url': {
      if (indicator.hostKind !== 'domain') {
        const address = parseAddress(indicator.host);
        return { kind: 'url', value: indicator.value, url: indicator.url, address };
      }
      return { ...hostProbe(indicator, indicator.host, lists), url: indicator.url };
    }
    case 'md5':
    case 'sha1':
    case 'sha256':
      return { kind: indicator.kind, value: indicator.hash.toLowerCase() };
  }
}

function hostProbe(indicator: Indicator, host: string, lists: Allowlists): Probe {
  const name = host.toLowerCase().replace(/\.$/, '');
  let minSuffixLength: number | undefined;
  return {
    kind: indicator.kind,
    value: indicator.kind === 'domain' ? name : indicator.value,
    host: name,
    hostParents: parentNames(name),
    // Computed on first read, because only built-in lists need it and it loads the
    // dynamic DNS zones.
    get minSuffixLength() {
      return (minSuffixLength ??= lists.resolver.minSuffixLength(name));
    },
  };
}

function parseAddress(text: string): IpNumber | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpNumber(bare);
}
