/**
 * The built-in allowlists, in the order they are checked, with what a match means.
 *
 * The order decides which list is named when several match: reserved ranges first, then lists
 * that identify what an address is (sinkhole, resolver, scanner), then trusted platforms, then lists
 * of reference sites, shared infrastructure and popular sites. A URL is set aside only when a list with `urlHostAction: 'set-aside'` matches it;
 * otherwise the first `full-url` match keeps it as a full-URL hunt.
 *
 * MISP lists left out on purpose:
 * - dynamic-dns: C2 servers live on dynamic DNS names, so they must stay huntable. The list is
 *   used the other way round, to keep popularity lists from matching customer names below a
 *   dynamic DNS zone (see `RegistrantResolver`).
 * - parking-domain-ns: it holds the name servers of parking services. huntpack indicators carry
 *   no NS records, and the servers' own names are not indicators that feeds publish.
 * - tlds: used by the free-text reader; `second-level-tlds` with the special-use names already
 *   sets aside a domain that is only a suffix, and single-label names never become indicators.
 *
 * Address lists and `ip:port` indicators, by category:
 * - Special-purpose ranges and sinkholes set aside every address, with or without a port: no port
 *   makes a private or sinkholed address attacker infrastructure.
 * - Addresses that serve everyone on the ports they listen on also set aside `ip:port`: public DNS
 *   resolvers, CRL and OCSP servers, internet-wide scanners, parking services, Microsoft 365
 *   service addresses and the CDN edges of Cloudflare and Fastly. A CDN edge address serves every
 *   customer's site on the same few ports, so even a port-aware hunt matches unrelated traffic.
 * - Rented hosting (amazon-aws, microsoft-azure, google-gcp, akamai) sets aside only bare `ip`
 *   indicators. Anyone can rent a VM there, and C2 servers often run on one: a hunt for one address
 *   on one port is specific, while the bare address, reused by other tenants, floods.
 */
import type { IndicatorKind } from '../../indicators/model.js';
import type { UrlHostAction } from './types.js';

export interface BuiltInPolicy {
  /** Folder name under `data/warninglists`, which is also the list's `name` in messages. */
  name: string;
  /**
   * Kinds from the list's MISP `matching_attributes` (see `kindsForAttributes`); kept here so a
   * list is read only when an indicator of its kinds arrives. A test checks them against the files.
   */
  kinds: readonly IndicatorKind[];
  /** Noun phrase for what the list holds, used in full-URL reasons. */
  describes: string;
  /** The reason sentence for an indicator on the list that is set aside. */
  reason: string;
  urlHostAction: UrlHostAction;
  /**
   * True for rented hosting: an `ip:port` indicator on the list is kept and only a bare `ip`
   * indicator is set aside, although the list's file names `ip-src|port` (so `kinds` has `ip-port`).
   */
  keepIpPort?: boolean;
}

const ADDRESS: readonly IndicatorKind[] = ['ip', 'ip-port'];
const DOMAIN: readonly IndicatorKind[] = ['domain'];
const DOMAIN_URL: readonly IndicatorKind[] = ['domain', 'url'];
const HASH: readonly IndicatorKind[] = ['md5', 'sha1', 'sha256'];

const RESERVED_REASON =
  'not routable on the internet, so it cannot be attacker infrastructure seen from outside';
const CDN_REASON =
  'a CDN edge address that serves many unrelated sites on the same ports, so a hunt on it, even with a port, would flood with benign traffic; hunt the domains and URLs that lead to it instead';
const HOSTING_REASON =
  'a cloud hosting address that many tenants rent and release, so a hunt on the bare address would flood with benign traffic. An ip:port indicator on it is kept, because a hunt for one address on one port is specific';

function reserved(name: string, describes: string): BuiltInPolicy {
  const reason = `${describes}: ${RESERVED_REASON}.`;
  return { name, kinds: ADDRESS, describes, reason, urlHostAction: 'set-aside' };
}

function cdn(name: string, describes: string): BuiltInPolicy {
  const reason = `${describes}: ${CDN_REASON}.`;
  return { name, kinds: ADDRESS, describes, reason, urlHostAction: 'full-url' };
}

// NOTE: the hosting lists do not tell CDN edges (CloudFront, Azure Front Door) from rented VMs, so
// an ip:port indicator on such an edge is kept as well.
function hosting(name: string, describes: string): BuiltInPolicy {
  const reason = `${describes}: ${HOSTING_REASON}.`;
  return { name, kinds: ADDRESS, describes, reason, urlHostAction: 'full-url', keepIpPort: true };
}

/** Built-in MISP warninglists in check order; `special-ranges` and `trusted-platforms` slot in. */
export const BUILT_IN_POLICIES: readonly BuiltInPolicy[] = [
  reserved('rfc1918', 'a private address (RFC 1918)'),
  reserved('rfc5735', 'a special-use IPv4 address (RFC 5735)'),
  reserved('rfc6598', 'a carrier-grade NAT shared address (RFC 6598)'),
  reserved('rfc3849', 'an IPv6 documentation address (RFC 3849)'),
  reserved('ipv6-linklocal', 'an IPv6 link-local address (RFC 4291)'),
  reserved('multicast', 'an IPv4 multicast address (RFC 5771)'),
  {
    name: 'rfc6761',
    kinds: DOMAIN,
    describes: 'a special-use domain name (RFC 6761)',
    reason:
      'a special-use domain name (RFC 6761), such as a private reverse-lookup zone or example.com: it never resolves to attacker infrastructure.',
    urlHostAction: 'set-aside',
  },
  {
    name: 'second-level-tlds',
    kinds: DOMAIN,
    describes: 'a public suffix such as co.uk',
    reason:
      'a public suffix such as co.uk, not a registered domain: a hunt on it would match every domain below it.',
    // A URL on such a host names one resource of the service, which a URL hunt matches alone.
    urlHostAction: 'full-url',
  },
  {
    name: 'empty-hashes',
    kinds: HASH,
    describes: 'the hash of an empty file',
    reason:
      'the hash of an empty file: every system has such files, so a hash hunt would flood and prove nothing.',
    urlHostAction: 'set-aside',
  },
  {
    name: 'common-ioc-false-positive',
    kinds: HASH,
    describes: 'a hash that feeds often publish by mistake',
    reason:
      'a hash of a common benign file that feeds often publish by mistake (MISP common-ioc-false-positive).',
    urlHostAction: 'set-aside',
  },
  {
    name: 'sinkholes',
    kinds: ADDRESS,
    describes: 'a known sinkhole',
    reason:
      'sinkholed: a researcher or registrar runs this address in place of the C2 server, so hits show infected hosts rather than live C2; hunt sinkhole traffic on its own.',
    urlHostAction: 'set-aside',
  },
  {
    name: 'public-dns-v4',
    kinds: ADDRESS,
    describes: 'a public DNS resolver',
    reason:
      'a public DNS resolver (IPv4): most networks send it traffic, so an address hunt would flood.',
    urlHostAction: 'full-url',
  },
  {
    name: 'public-dns-v6',
    kinds: ADDRESS,
    describes: 'a public DNS resolver',
    reason:
      'a public DNS resolver (IPv6): most networks send it traffic, so an address hunt would flood.',
    urlHostAction: 'full-url',
  },
  {
    name: 'public-dns-hostname',
    kinds: DOMAIN_URL,
    describes: 'the name of a public DNS resolver',
    reason:
      'the host name of a public DNS resolver: most networks query it, so a domain hunt would flood.',
    urlHostAction: 'full-url',
  },
  {
    name: 'crl-ip',
    kinds: ADDRESS,
    describes: 'a certificate revocation or OCSP server',
    reason:
      'a certificate revocation (CRL) or OCSP server address: every TLS client contacts such servers, so a hunt would flood.',
    urlHostAction: 'set-aside',
  },
  {
    name: 'crl-hostname',
    kinds: DOMAIN,
    describes: 'a certificate revocation or OCSP server',
    reason:
      'a certificate revocation (CRL) or OCSP server name: sandboxes record it from signed files, and every TLS client contacts it.',
    urlHostAction: 'set-aside',
  },
  ...['censys-scanning', 'shodan-scanning', 'shodan-nt-scanning'].map((name): BuiltInPolicy => ({
    name,
    kinds: ADDRESS,
    describes: 'an internet-wide scanner',
    reason: `an internet-wide scanner (${name}): it probes every public address, so its traffic is not a sign of compromise.`,
    urlHostAction: 'full-url',
  })),
  {
    name: 'whats-my-ip',
    kinds: DOMAIN_URL,
    describes: 'a what-is-my-IP service',
    reason:
      'a what-is-my-IP service: malware does query it, but so do browsers and software updaters, so a hunt would flood; hunt the malware behaviour instead.',
    urlHostAction: 'set-aside',
  },
  {
    name: 'security-provider-blogpost',
    kinds: DOMAIN_URL,
    describes: 'a security vendor blog or news site',
    reason:
      'a security vendor blog or news site: the feed picked up a reference link, not attacker infrastructure.',
    // The list also contains github.com, medium.com and other sites where anyone can publish, so
    // a URL on them may be a payload: it is kept and hunted as the full URL.
    urlHostAction: 'full-url',
  },
  {
    name: 'automated-malware-analysis',
    kinds: DOMAIN_URL,
    describes: 'an automated malware analysis service',
    reason:
      'an automated malware analysis (sandbox) service: the feed picked up a report link, not attacker infrastructure.',
    urlHostAction: 'set-aside',
  },
  cdn('cloudflare', 'a Cloudflare address'),
  // Built from Akamai's BGP announcements, so it contains CDN edges and the rented VMs of Akamai's
  // cloud (formerly Linode) alike. The bundled ThreatFox export has AdaptixC2 servers on port
  // 4321 and Havoc servers in its 172.224.0.0/12. Keeping an ip:port on a CDN edge is the smaller
  // error than setting aside those C2 servers.
  hosting('akamai', 'an Akamai address'),
  cdn('fastly', 'a Fastly address'),
  hosting('amazon-aws', 'an Amazon AWS address'),
  hosting('microsoft-azure', 'a Microsoft Azure address'),
  hosting('google-gcp', 'a Google Cloud address'),
  {
    name: 'microsoft-office365-ip',
    kinds: ADDRESS,
    describes: 'a Microsoft 365 address',
    reason:
      'a Microsoft 365 service address: most networks connect to it all day on the same ports, so a hunt on it, even with a port, would flood with benign traffic.',
    urlHostAction: 'full-url',
  },
  {
    name: 'parking-domain',
    kinds: ADDRESS,
    describes: 'a domain parking service',
    reason:
      'a domain parking service address: thousands of parked domains resolve to it, so an address hunt would flood.',
    urlHostAction: 'full-url',
  },
  {
    name: 'google',
    kinds: DOMAIN_URL,
    describes: 'a Google domain',
    reason: 'a Google domain: most networks use it all day, so a domain hunt would flood.',
    urlHostAction: 'full-url',
  },
  {
    name: 'microsoft-office365',
    kinds: DOMAIN,
    describes: 'a Microsoft 365 domain',
    reason: 'a Microsoft 365 domain: most networks use it all day, so a domain hunt would flood.',
    urlHostAction: 'full-url',
  },
  {
    name: 'url-shortener',
    kinds: DOMAIN_URL,
    describes: 'a URL shortener',
    reason:
      'a URL shortener: its links lead anywhere, so a domain hunt would flood; hunt the full short link instead.',
    urlHostAction: 'full-url',
  },
  {
    name: 'tranco10k',
    kinds: DOMAIN_URL,
    describes: 'a popular site (Tranco top 10,000)',
    reason:
      'a popular site (Tranco top 10,000): a domain hunt would flood with benign traffic. A URL on it is kept and hunted as the full URL.',
    urlHostAction: 'full-url',
  },
];

/** Returns the kinds a built-in list is checked for: its file's kinds, less `ip-port` for hosting. */
export function checkedKinds(policy: BuiltInPolicy): IndicatorKind[] {
  return policy.kinds.filter((kind) => !(kind === 'ip-port' && policy.keepIpPort));
}

/** The name of the built-in list of special-purpose address ranges and domain names. */
export const SPECIAL_RANGES = 'special-ranges';

/** The name of the built-in list of file-sharing and code-hosting platforms. */
export const TRUSTED_PLATFORMS = 'trusted-platforms';

/** The name of the built-in list of hosting, tunnel and dynamic DNS zones with customer subdomains. */
export const CUSTOMER_ZONES = 'customer-zones';

/** List names checked before `special-ranges` and before `trusted-platforms`, respectively. */
export const INSERT_SPECIAL_RANGES_AFTER = 'rfc6761';
export const INSERT_TRUSTED_PLATFORMS_AFTER = 'shodan-nt-scanning';
