/**
 * Word lists the free-text reader uses to tell indicators from file names and reference links.
 */
import { readFileSync } from 'node:fs';

const TLD_LIST_FILE = new URL('../../data/warninglists/tlds/list.json', import.meta.url);

let topLevelDomains: Set<string> | undefined;

/**
 * Returns the IANA top-level domains in lower case, read once from the MISP `tlds` warninglist in
 * `data/warninglists/tlds/list.json`.
 */
export function getTopLevelDomains(): ReadonlySet<string> {
  if (!topLevelDomains) {
    const parsed = JSON.parse(readFileSync(TLD_LIST_FILE, 'utf8')) as { list?: unknown };
    const entries = Array.isArray(parsed.list) ? parsed.list : [];
    topLevelDomains = new Set(
      entries.filter((entry): entry is string => typeof entry === 'string').map(toLowerTld),
    );
  }
  return topLevelDomains;
}

function toLowerTld(entry: string): string {
  return entry.trim().toLowerCase().replace(/^\./, '');
}

/**
 * Top-level domains that are also common file extensions (`setup.sh`, `invoice.zip`,
 * `Calculator.app`) or member names in code (`process.name`, `location.host`). A fanged name
 * ending in one of them is read as a domain only inside a URL or with a port. A defanged one
 * (`invoice[.]zip`) is always a domain, because the writer marked it as an indicator.
 */
export const AMBIGUOUS_TLDS: ReadonlySet<string> = new Set([
  // File extensions.
  'ai',
  'app',
  'cab',
  'java',
  'md',
  'mov',
  'pl',
  'ps',
  'py',
  'rs',
  'sh',
  'so',
  'zip',
  // Member names in code and log field paths.
  'data',
  'host',
  'id',
  'link',
  'name',
  'page',
  'search',
  'style',
]);

/** A site that write-ups link to as a source, whose fanged links are not indicators. */
export interface ReferenceSite {
  /** Host name; its subdomains match too. */
  host: string;
  /** When set, only URLs whose path matches are references (a GitHub issue, not any repository). */
  path?: RegExp;
}

/**
 * Sites that threat reports cite as sources: social media, sandboxes, scanners and abuse.ch
 * databases. Only fanged links to them are dropped. A defanged link (`hxxps://github[.]com/...`)
 * is an indicator, because attackers host payloads on some of these sites.
 */
export const REFERENCE_SITES: readonly ReferenceSite[] = [
  { host: 'abuse.ch' },
  { host: 'any.run' },
  { host: 'attack.mitre.org' },
  { host: 'bsky.app' },
  { host: 'censys.io' },
  { host: 'facebook.com' },
  { host: 'github.com', path: /^\/[^/]+\/[^/]+\/(?:issues|pull|discussions|security)(?:\/|$)/ },
  { host: 'hybrid-analysis.com' },
  { host: 'infosec.exchange' },
  { host: 'joesandbox.com' },
  { host: 'linkedin.com' },
  { host: 'malpedia.caad.fkie.fraunhofer.de' },
  { host: 'mastodon.social' },
  { host: 'otx.alienvault.com' },
  { host: 'shodan.io' },
  { host: 't.me' },
  { host: 'tria.ge' },
  { host: 'twitter.com' },
  { host: 'urlscan.io' },
  { host: 'virustotal.com' },
  { host: 'x.com' },
];

/** Returns true when a host and path belong to one of the reference sites. */
export function isReferenceSite(
  host: string,
  path: string,
  sites: readonly ReferenceSite[] = REFERENCE_SITES,
): boolean {
  const lowerHost = host.toLowerCase().replace(/\.$/, '');
  return sites.some((site) => {
    const hostMatches = lowerHost === site.host || lowerHost.endsWith(`.${site.host}`);
    return hostMatches && (site.path === undefined || site.path.test(path));
  });
}
