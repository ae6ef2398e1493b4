/**
 * Builds the backend-neutral hunts of one family from its indicators and the data-source catalog.
 */
import type { Exclusion, Hunt, HuntVariant, IocTable, Lookback } from './ir.js';
import { DATA_SOURCES, type DataSourceEntry } from '../pipeline/data-sources.js';
import { matchBranches } from '../pipeline/match-branches.js';
import type { Indicator, ThreatGroupKind } from '../indicators/model.js';
import { buildIocTables } from './ioc-tables.js';

export interface BuildHuntsOptions {
  /** Printable family name, written into every hit as `IocFamily`. */
  family: string;
  /** Kind of threat group that `family` names, absent for a malware family. */
  familyKind?: ThreatGroupKind;
  /** Kebab-case family name used in hunt ids. */
  familySlug: string;
  lookback: Lookback;
  /** Exclusions to compile into a hunt, chosen per data source and variant. */
  exclusionsFor?: (source: DataSourceEntry, variant: HuntVariant) => Exclusion[];
  /** Data sources to build for; defaults to the whole catalog. */
  dataSources?: readonly DataSourceEntry[];
}

interface HuntPlan {
  variant: HuntVariant;
  what: string;
  table: IocTable;
  description: string;
}

function plans(indicators: Indicator[]): HuntPlan[] {
  const tables = buildIocTables(indicators);
  return [
    {
      variant: 'port-aware',
      what: 'C2 address and port',
      table: tables['port-aware'],
      description:
        'Connections to or from an indicator address on the indicator port. Each ip:port ' +
        'indicator matches only that address on that port. A URL whose host is an address ' +
        'adds that address on its port, or the usual port of its scheme (80, 443 or 21) when it names none.',
    },
    {
      variant: 'address-only',
      what: 'C2 address on any port',
      table: tables['address-only'],
      description:
        'ADDRESS-ONLY: connections to or from an indicator address on any port. It finds the same ' +
        'hosts on other ports, and also unrelated services that share the address (hosting, ' +
        'CDNs, NAT), so triage each hit: IocFeedPorts lists the ports the feed named. Addresses ' +
        'of URLs are included; rented cloud hosting addresses are left out, because their other ' +
        'tenants would flood it. In DNS tables it matches answers that resolve a name to an ' +
        'indicator address.',
    },
    {
      variant: 'domain',
      what: 'domain and its subdomains',
      table: tables.domain,
      description:
        'Events whose host is an indicator domain or one of its subdomains. The host is compared ' +
        'label by label, so evil.com matches a.evil.com but not notevil.com. The hosts of URL ' +
        'indicators are included, except a URL hunted whole because its host is shared, and a ' +
        'URL on a site that the feed marks as compromised.',
    },
    {
      variant: 'url',
      what: 'URL',
      table: tables.url,
      description:
        'Events whose URL equals an indicator URL. Both sides are compared without the scheme, ' +
        'with the host lower-cased, the default port dropped and an empty path written as /. ' +
        'A path or query with non-ASCII characters also matches with them percent-encoded ' +
        'as UTF-8, as browsers send it.',
    },
    {
      variant: 'hash',
      what: 'file hash',
      table: tables.hash,
      description:
        'Files, and processes that wrote a file, started a process, made a connection or ' +
        'caused a DeviceEvents action, whose MD5, SHA1 or SHA256 equals an indicator hash.',
    },
  ];
}

/** Builds every hunt a family's indicators call for, one per variant and data source. */
export function buildHunts(indicators: Indicator[], options: BuildHuntsOptions): Hunt[] {
  const hunts: Hunt[] = [];
  for (const plan of plans(indicators)) {
    if (plan.table.rows.length === 0) continue;
    for (const source of options.dataSources ?? DATA_SOURCES) {
      const match = matchBranches(source, plan.variant);
      if (match.length === 0) continue;
      const platform = source.platform === 'sentinel' ? 'Sentinel' : 'Defender';
      hunts.push({
        id: `${options.familySlug}-${source.slug}-${plan.variant}`,
        title: `${options.family} ${plan.what} in ${source.table} (${platform}, ${plan.variant})`,
        description: plan.description,
        family: options.family,
        ...(options.familyKind === undefined ? {} : { familyKind: options.familyKind }),
        variant: plan.variant,
        source: {
          id: source.id,
          table: source.table,
          platform: source.platform,
          timeColumn: source.timeColumn,
          product: source.product,
          connector: source.connector,
        },
        lookback: options.lookback,
        iocs: plan.table,
        match,
        ...(source.where === undefined ? {} : { where: source.where }),
        exclusions: options.exclusionsFor?.(source, plan.variant) ?? [],
        project: source.project,
        constants: { IocFamily: options.family },
      });
    }
  }
  return hunts;
}
