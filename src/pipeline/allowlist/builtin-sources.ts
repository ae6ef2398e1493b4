/**
 * Allowlist sources for the built-in lists: MISP warninglists in `data/warninglists`, and
 * huntpack's own `data/allowlists/special-ranges.json` and `data/allowlists/trusted-platforms.json`.
 * Each file is read and indexed the first time an indicator of a kind it applies to arrives.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../errors.js';
import type { IndicatorKind } from '../../indicators/model.js';
import {
  checkedKinds,
  CUSTOMER_ZONES,
  SPECIAL_RANGES,
  TRUSTED_PLATFORMS,
  type BuiltInPolicy,
} from './builtin-catalog.js';
import { HostIndex, hostKey } from './host-index.js';
import { compileEntries, indexEntries } from './matchers.js';
import { RangeIndex } from './range-index.js';
import { isWildcardChild, wildcardBases } from './registrant.js';
import type { AllowlistSource, CompiledList } from './types.js';
import { readWarninglist, type Warninglist } from './warninglist.js';

const DATA_FOLDER = new URL('../../../data/', import.meta.url);

/** Returns the source of one MISP warninglist under `data/warninglists/<name>/list.json`. */
export function warninglistSource(policy: BuiltInPolicy): AllowlistSource {
  const file = new URL(`warninglists/${policy.name}/list.json`, DATA_FOLDER);
  const options = { registrantBoundary: true };
  let list: Warninglist | undefined;
  const read = (): Warninglist => (list ??= readWarninglist(file));
  let compiled: CompiledList | undefined;
  const kinds = new Set(checkedKinds(policy));
  return {
    name: policy.name,
    kinds,
    urlHostAction: policy.urlHostAction,
    reasonFor: () => policy.reason,
    describe: () => policy.describes,
    version: () => read().version,
    compile: () => (compiled ??= compileEntries(read().type, read().list, options)),
    indexInto(index, id) {
      index.addList(id, kinds, options.registrantBoundary);
      indexEntries(index, id, read().type, read().list, options);
    },
  };
}

interface SpecialRangesFile {
  version: number;
  ranges: Array<{ cidr: string; name: string; rfc: string }>;
  domains: Array<{ name: string; rfc: string }>;
}

/** Returns the source of the special-purpose address ranges and special-use domain names. */
export function specialRangesSource(): AllowlistSource {
  const file = new URL('allowlists/special-ranges.json', DATA_FOLDER);
  let data: SpecialRangesFile | undefined;
  const read = (): SpecialRangesFile => (data ??= readDataFile<SpecialRangesFile>(file, 'ranges'));
  let compiled: CompiledList | undefined;
  const details = (): Map<string, string> =>
    new Map([
      ...read().ranges.map((range) => [range.cidr, `${range.name} range (${range.rfc})`] as const),
      ...read().domains.map((domain) => [domain.name, `special-use name (${domain.rfc})`] as const),
    ]);
  let detailMap: Map<string, string> | undefined;
  const describe = (entry: string): string => {
    detailMap ??= details();
    return `a reserved ${detailMap.get(entry) ?? 'address or name'}`;
  };
  const kinds = new Set<IndicatorKind>(['ip', 'ip-port', 'domain']);
  return {
    name: SPECIAL_RANGES,
    kinds,
    urlHostAction: 'set-aside',
    describe,
    reasonFor: (entry) =>
      `${describe(entry)}: not reachable on the internet, so it cannot be attacker infrastructure seen from outside.`,
    version: () => read().version,
    compile: () => (compiled ??= compileSpecialRanges(read())),
    indexInto(index, id) {
      index.addList(id, kinds, false);
      for (const range of read().ranges) index.addRange(id, range.cidr);
      for (const domain of read().domains) {
        index.addHost(id, domain.name, 'exact-and-subdomains', domain.name);
      }
    },
  };
}

function compileSpecialRanges(data: SpecialRangesFile): CompiledList {
  const ranges = new RangeIndex(data.ranges.map((range) => range.cidr));
  const names = new HostIndex();
  for (const domain of data.domains) {
    names.addExact(domain.name, domain.name);
    names.addSubdomains(domain.name, domain.name);
  }
  return {
    entryCount: ranges.size + data.domains.length,
    skippedEntries: ranges.invalidEntries,
    match(probe) {
      if (probe.address) return ranges.lookup(probe.address);
      return probe.host === undefined ? undefined : names.lookup(probe.host);
    },
  };
}

interface Platform {
  host: string;
  platform: string;
  category: string;
  customerSubdomains: boolean;
}

interface PlatformsFile {
  version: number;
  platforms: Platform[];
}

let platformsFile: PlatformsFile | undefined;

function readPlatforms(): PlatformsFile {
  const file = new URL('allowlists/trusted-platforms.json', DATA_FOLDER);
  return (platformsFile ??= readDataFile<PlatformsFile>(file, 'platforms'));
}

/** Returns the platform hosts whose subdomains belong to different customers (`sharepoint.com`). */
export function customerSubdomainZones(): string[] {
  return readPlatforms()
    .platforms.filter((platform) => platform.customerSubdomains)
    .map((platform) => platform.host);
}

interface CustomerZonesFile {
  version: number;
  zones: Array<{ zone: string; service: string }>;
}

let customerZonesFile: CustomerZonesFile | undefined;

function readCustomerZones(): CustomerZonesFile {
  const file = new URL('allowlists/customer-zones.json', DATA_FOLDER);
  return (customerZonesFile ??= readDataFile<CustomerZonesFile>(file, 'zones'));
}

let zoneNames: { names: Set<string>; bases: Set<string> } | undefined;

/**
 * Returns the customer zones as host keys (`*.cloudapp.azure.com` kept as written), and the
 * parents of the wildcard ones (see `wildcardBases`).
 */
export function customerZoneNames(): { names: ReadonlySet<string>; bases: ReadonlySet<string> } {
  if (zoneNames === undefined) {
    const names = new Set(customerZones().map((zone) => hostKey(zone) ?? zone));
    zoneNames = { names, bases: wildcardBases(names) };
  }
  return zoneNames;
}

/** Returns the zones of `data/allowlists/customer-zones.json`. */
export function customerZones(): string[] {
  return readCustomerZones().zones.map((entry) => entry.zone);
}

/**
 * Returns the source of the customer zones as indicators: a domain that is itself such a zone
 * (`glitch.me`) is set aside, because a domain hunt matches its subdomains, which belong to every
 * customer of the service. A subdomain stays huntable, and a URL on the zone's own host is hunted
 * as the full URL.
 */
export function customerZonesSource(): AllowlistSource {
  let compiled: CompiledList | undefined;
  const describe = (entry: string): string => {
    const zone = readCustomerZones().zones.find((item) => item.zone === entry);
    return `a zone whose subdomains belong to different customers (${zone?.service ?? entry})`;
  };
  const kinds = new Set<IndicatorKind>(['domain', 'url']);
  return {
    name: CUSTOMER_ZONES,
    kinds,
    urlHostAction: 'full-url',
    describe,
    reasonFor: (entry) =>
      `${describe(entry)}: a domain hunt on it would match every customer's subdomain. Its subdomains are hunted one by one.`,
    version: () => readCustomerZones().version,
    // Matched on its own rather than through the combined index, which has no entry for the
    // names one label below a wildcard zone.
    compile: () => (compiled ??= compileZones()),
  };
}

/**
 * Returns the list that matches a zone, or a name one label below a wildcard zone such as
 * `*.cloudapp.azure.com`.
 */
function compileZones(): CompiledList {
  const { names, bases } = customerZoneNames();
  return {
    entryCount: names.size,
    skippedEntries: [],
    match(probe) {
      const host = probe.host;
      if (host === undefined) return undefined;
      if (names.has(host)) return host;
      return isWildcardChild(host, bases) ? `*.${host.slice(host.indexOf('.') + 1)}` : undefined;
    },
  };
}

/**
 * Returns the source of the trusted platforms. A URL on a platform host or any subdomain of it
 * matches (and is kept as a full URL). A domain matches when it is a platform host, or a
 * subdomain of one whose subdomains the platform runs itself.
 */
export function trustedPlatformsSource(): AllowlistSource {
  let compiled: CompiledList | undefined;
  const byHost = (entry: string): Platform | undefined =>
    readPlatforms().platforms.find((platform) => platform.host === entry);
  const describe = (entry: string): string => {
    const platform = byHost(entry);
    return platform ? `a ${platform.category} platform (${platform.platform})` : 'a platform';
  };
  const kinds = new Set<IndicatorKind>(['domain', 'url']);
  return {
    name: TRUSTED_PLATFORMS,
    kinds,
    urlHostAction: 'full-url',
    describe,
    reasonFor: (entry) =>
      `${describe(entry)}: countless legitimate users reach this host, so a domain hunt would flood; only full URLs on it are hunted.`,
    version: () => readPlatforms().version,
    compile: () => (compiled ??= compilePlatforms(readPlatforms().platforms)),
    indexInto(index, id) {
      index.addList(id, kinds, false);
      for (const platform of readPlatforms().platforms) {
        const key = hostKey(platform.host) ?? platform.host;
        if (!platform.customerSubdomains) {
          index.addHost(id, key, 'exact-and-subdomains', platform.host);
          continue;
        }
        // A customer's subdomain is kept as a domain, but a URL on it is still a platform URL.
        index.addHost(id, key, 'exact', platform.host);
        index.addHost(id, key, 'url-subdomains', platform.host);
      }
    },
  };
}

function compilePlatforms(platforms: readonly Platform[]): CompiledList {
  const urlHosts = new HostIndex();
  const domainHosts = new HostIndex();
  for (const platform of platforms) {
    const key = hostKey(platform.host) ?? platform.host;
    urlHosts.addExact(key, platform.host);
    urlHosts.addSubdomains(key, platform.host);
    domainHosts.addExact(key, platform.host);
    if (!platform.customerSubdomains) domainHosts.addSubdomains(key, platform.host);
  }
  return {
    entryCount: platforms.length,
    skippedEntries: [],
    match(probe) {
      if (probe.host === undefined) return undefined;
      return (probe.url === undefined ? domainHosts : urlHosts).lookup(probe.host);
    },
  };
}

function readDataFile<T>(file: URL, requiredArray: string): T {
  const path = fileURLToPath(file);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (typeof parsed.version !== 'number' || !Array.isArray(parsed[requiredArray])) {
    throw new ConfigError(
      'INVALID_ALLOWLIST_DATA',
      `Invalid allowlist data file ${path}: expected a numeric "version" and a "${requiredArray}" array.`,
      { source: { file: path } },
    );
  }
  return parsed as T;
}
