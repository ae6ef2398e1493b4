/**
 * Where one owner's part of a host name begins, so that "name and subdomains" entries do not
 * reach across owners.
 *
 * tranco10k lists `duckdns.org`, `github.io` and `asuscomm.com`, and plain suffix matching would
 * set aside every C2 domain under them. A suffix entry therefore matches only inside the host's
 * registered domain. That domain comes from the Public Suffix List in tldts, private section
 * included, so `duckdns.org` and `github.io` count as suffixes. Shared zones that the PSL lacks
 * extend it: the MISP dynamic-dns list, platforms whose customers get subdomains
 * (`sharepoint.com`) and `data/allowlists/customer-zones.json` (`asuscomm.com`).
 */
import { getDomain } from 'tldts';

/** Returns the parents of the wildcard zones (`cloudapp.azure.com` of `*.cloudapp.azure.com`). */
export function wildcardBases(zones: Iterable<string>): Set<string> {
  const bases = new Set<string>();
  for (const zone of zones) {
    if (zone.startsWith('*.')) bases.add(zone.slice(2));
  }
  return bases;
}

/** Returns true when `name` is one label below one of `bases` (see {@link wildcardBases}). */
export function isWildcardChild(name: string, bases: ReadonlySet<string>): boolean {
  if (bases.size === 0) return false;
  const dot = name.indexOf('.');
  return dot > 0 && bases.has(name.slice(dot + 1));
}

const TLDTS_OPTIONS = {
  allowPrivateDomains: true,
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
} as const;

/** Resolves the registered domain of hosts, given the extra shared zones. */
export class RegistrantResolver {
  private zones: ReadonlySet<string> | undefined;
  private bases: ReadonlySet<string> = new Set();

  /** @param loadZones returns shared zone names (lower case, no dots at the ends) on first use. */
  constructor(private readonly loadZones: () => ReadonlySet<string>) {}

  /**
   * Returns the registered domain of a lower-case host: `evil.duckdns.org` for
   * `a.evil.duckdns.org`, `google.com` for `mail.google.com`, `router.asuscomm.com` for `a.router.asuscomm.com`.
   * Returns undefined when the host is itself a public suffix or a shared zone.
   */
  registrantDomain(host: string): string | undefined {
    const fromSuffixList = getDomain(host, TLDTS_OPTIONS) ?? undefined;
    const fromZones = this.zoneRegistrant(host);
    if (fromZones === undefined) return fromSuffixList;
    if (fromSuffixList === undefined) return fromZones;
    return fromZones.length > fromSuffixList.length ? fromZones : fromSuffixList;
  }

  /**
   * Returns the minimum length of a parent name that a subdomain entry may match for this host:
   * the length of its registered domain, or Infinity when it has none.
   */
  minSuffixLength(host: string): number {
    return this.registrantDomain(host)?.length ?? Infinity;
  }

  /**
   * Returns the label below the longest shared zone that is a proper parent of the host. A zone
   * `*.cloudapp.azure.com` makes each name one label below `cloudapp.azure.com` a zone.
   */
  private zoneRegistrant(host: string): string | undefined {
    if (this.zones === undefined) {
      this.zones = this.loadZones();
      this.bases = wildcardBases(this.zones);
    }
    // A region such as eastus.cloudapp.azure.com is itself a zone, not a customer's name.
    if (isWildcardChild(host, this.bases)) return undefined;
    // The starts of the last two labels passed, so that a wildcard zone's parent can name the
    // label two below it: x.eastus.cloudapp.azure.com for a.x.eastus.cloudapp.azure.com.
    let previousDot = -1;
    let secondDot = -1;
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      const parent = host.slice(dot + 1);
      if (this.bases.has(parent) && previousDot >= 0) return host.slice(secondDot + 1);
      if (this.zones.has(parent)) {
        const registrant = host.slice(previousDot + 1);
        // `www.wordpress.com` is the provider's own site, never a customer's.
        return registrant === `www.${parent}` ? undefined : registrant;
      }
      secondDot = previousDot;
      previousDot = dot;
    }
    return undefined;
  }
}
