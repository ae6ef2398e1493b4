/**
 * The data-source catalog: which tables huntpack hunts in, which product and connector fill them,
 * and which of their columns play which role (field mapping). Hunt building reads only this
 * catalog, so a new table is a new entry here, not new logic.
 */
import type { DataSource, FilterExpr, MatchKey } from '../compile/ir.js';

/** A catalog entry: a data source plus the columns that play each role in hunts. */
export interface DataSourceEntry extends DataSource {
  /** Short name used in hunt ids and file names, such as `sentinel-csl`. */
  slug: string;
  /** Address and port pairs an ip:port indicator can meet, with the side each one means. */
  endpoints: Endpoint[];
  /**
   * Columns of DNS answers that list the addresses a name resolved to. Address-only hunts match
   * every address in them, and port-aware hunts never read them, because an answer has no port.
   */
  answerAddressColumns?: string[];
  /** Columns that hold a host name or a URL whose host can be a domain indicator. */
  hostColumns: string[];
  /** Columns that hold a full URL, or a path when `urlHosts` names their host column. */
  urlColumns: string[];
  /** Host column of each URL column that some products fill with the path alone. */
  urlHosts?: Record<string, string>;
  /** Port column of each URL column in `urlHosts`, whose port joins the host (see `urlKeyInput`). */
  urlPorts?: Record<string, string>;
  /**
   * Array column of each host or URL column that lists further URLs of the same event, such as
   * the redirect chain UrlChain beside UrlClickEvents' Url: a dynamic array, or a string that
   * contains one as JSON.
   */
  arrayColumns?: Record<string, string>;
  /**
   * Columns with an MD5, SHA1 or SHA256 digest, each compared with every hash indicator. They are
   * a file's own hashes and those of the process that wrote the file, started the process, made
   * the connection or caused a DeviceEvents action. CommonSecurityLog's FileHash has whichever hash the device computed.
   */
  hashColumns: string[];
  /** Columns an analyst needs to triage a hit, in the order shown. */
  project: string[];
  /** Rows of the table that hunts read, such as the ActionTypes that carry network fields. */
  where?: FilterExpr;
}

/** One side of a connection: its address and port columns. */
export interface Endpoint {
  side: string;
  address: string;
  /**
   * Column read for the address when `address` contains none, such as `dst=-` in CEF. A port it
   * writes after the address (`dhost=1.2.3.4:4444`) is then read in place of `port`.
   */
  addressFallback?: string;
  port: string;
}

const CSL_CONNECTOR = 'Common Event Format (CEF) via AMA (Syslog via AMA for non-CEF sources)';
const MDE_CONNECTOR_SENTINEL = 'Microsoft Defender XDR (streams Defender for Endpoint tables)';
const MDO_CONNECTOR_SENTINEL = 'Microsoft Defender XDR (streams Defender for Office 365 tables)';
const MDE_CONNECTOR_DEFENDER = 'none: built into Defender XDR advanced hunting';

/** The hashes of the process behind a Defender for Endpoint event. */
const INITIATING_PROCESS_HASHES = [
  'InitiatingProcessSHA256',
  'InitiatingProcessSHA1',
  'InitiatingProcessMD5',
];

const CSL_PROJECT = [
  'TimeGenerated',
  'DeviceVendor',
  'DeviceProduct',
  'DeviceAction',
  'SourceIP',
  'SourcePort',
  'DestinationIP',
  'DestinationPort',
  'DestinationHostName',
  'RequestURL',
  'FileName',
  'Activity',
];

function networkEvents(platform: 'sentinel' | 'defender'): DataSourceEntry {
  const timeColumn = platform === 'sentinel' ? 'TimeGenerated' : 'Timestamp';
  return {
    id: `${platform}-devicenetworkevents`,
    slug: `${platform}-dne`,
    table: 'DeviceNetworkEvents',
    platform,
    timeColumn,
    product: 'Microsoft Defender for Endpoint',
    connector: platform === 'sentinel' ? MDE_CONNECTOR_SENTINEL : MDE_CONNECTOR_DEFENDER,
    endpoints: [{ side: 'remote', address: 'RemoteIP', port: 'RemotePort' }],
    hostColumns: ['RemoteUrl'],
    urlColumns: ['RemoteUrl'],
    // The process that made the connection: a known implant calling home on any address.
    hashColumns: [...INITIATING_PROCESS_HASHES],
    project: [
      timeColumn,
      'DeviceName',
      'ActionType',
      'LocalIP',
      'LocalPort',
      'RemoteIP',
      'RemotePort',
      'RemoteUrl',
      'Protocol',
      'InitiatingProcessFileName',
      'InitiatingProcessCommandLine',
      'InitiatingProcessAccountName',
    ],
  };
}

/**
 * DeviceEvents ActionTypes that fill RemoteIP and RemotePort (firewall blocks) or RemoteUrl
 * (SmartScreen, network protection, links opened in a browser), from the ActionType reference of
 * the Defender advanced hunting schema. The other ActionTypes of the table, such as antivirus,
 * registry and process events, carry no remote endpoint, so hunts leave them out.
 */
export const DEVICE_EVENTS_NETWORK_ACTION_TYPES: readonly string[] = [
  'FirewallInboundConnectionBlocked',
  'FirewallInboundConnectionToAppBlocked',
  'FirewallOutboundConnectionBlocked',
  'ExploitGuardNetworkProtectionAudited',
  'ExploitGuardNetworkProtectionBlocked',
  'NetworkProtectionUserBypassEvent',
  'SmartScreenUrlWarning',
  'SmartScreenExploitWarning',
  'SmartScreenUserOverride',
  'BrowserLaunchedToOpenUrl',
];

/**
 * Returns the DeviceEvents rows of the ActionTypes that carry a remote address, port or URL. They
 * have the remote columns of DeviceNetworkEvents but no Protocol column.
 */
function deviceEvents(platform: 'sentinel' | 'defender'): DataSourceEntry {
  const network = networkEvents(platform);
  return {
    ...network,
    id: `${platform}-deviceevents`,
    slug: `${platform}-de`,
    table: 'DeviceEvents',
    product:
      'Microsoft Defender for Endpoint (firewall blocks, SmartScreen and network protection)',
    project: network.project.filter((column) => column !== 'Protocol'),
    // The hash hunt of the table reads every row (see `deviceEventFiles`).
    hashColumns: [],
    where: {
      kind: 'in',
      column: 'ActionType',
      values: [...DEVICE_EVENTS_NETWORK_ACTION_TYPES],
    },
  };
}

/** The short name of each file table in hunt ids, and the column that best describes its events. */
const FILE_TABLES = {
  // AdditionalFields contains the details of an ActionType, such as an antivirus detection's threat.
  DeviceEvents: { short: 'de', detail: 'AdditionalFields' },
  DeviceFileEvents: { short: 'dfe', detail: 'FileOriginUrl' },
  DeviceProcessEvents: { short: 'dpe', detail: 'ProcessCommandLine' },
  // A DLL load: the image loaded is FileName and FolderPath, the process that loaded it InitiatingProcess*.
  DeviceImageLoadEvents: { short: 'dile', detail: 'InitiatingProcessFolderPath' },
} as const;

function fileTable(
  table: keyof typeof FILE_TABLES,
  platform: 'sentinel' | 'defender',
): DataSourceEntry {
  const timeColumn = platform === 'sentinel' ? 'TimeGenerated' : 'Timestamp';
  const { short, detail } = FILE_TABLES[table];
  return {
    id: `${platform}-${table.toLowerCase()}`,
    slug: `${platform}-${short}`,
    table,
    platform,
    timeColumn,
    product: 'Microsoft Defender for Endpoint',
    connector: platform === 'sentinel' ? MDE_CONNECTOR_SENTINEL : MDE_CONNECTOR_DEFENDER,
    endpoints: [],
    hostColumns: [],
    urlColumns: [],
    hashColumns: ['SHA256', 'SHA1', 'MD5', ...INITIATING_PROCESS_HASHES],
    project: [
      timeColumn,
      'DeviceName',
      'ActionType',
      'FileName',
      'FolderPath',
      detail,
      'SHA256',
      'SHA1',
      'MD5',
      'InitiatingProcessFileName',
      'InitiatingProcessCommandLine',
      'InitiatingProcessAccountName',
    ],
  };
}

/**
 * Returns every DeviceEvents row, for the hash hunt. An antivirus detection names its file by
 * SHA1 and MD5, and by SHA256 where Defender has it, and every row names its initiating process
 * by hash, such as the process behind a registry change or a blocked connection.
 */
function deviceEventFiles(platform: 'sentinel' | 'defender'): DataSourceEntry {
  return {
    ...fileTable('DeviceEvents', platform),
    // The network entry of the table has the id `<platform>-deviceevents`.
    id: `${platform}-deviceevents-files`,
    product: 'Microsoft Defender for Endpoint (file and process hashes of every ActionType)',
  };
}

function urlClicks(platform: 'sentinel' | 'defender'): DataSourceEntry {
  // UrlClickEvents has no Timestamp column in the Sentinel schema, only TimeGenerated; Defender
  // advanced hunting names the same column Timestamp.
  const timeColumn = platform === 'sentinel' ? 'TimeGenerated' : 'Timestamp';
  return {
    id: `${platform}-urlclickevents`,
    slug: `${platform}-uce`,
    table: 'UrlClickEvents',
    platform,
    timeColumn,
    product: 'Microsoft Defender for Office 365 (Safe Links)',
    connector: platform === 'sentinel' ? MDO_CONNECTOR_SENTINEL : MDE_CONNECTOR_DEFENDER,
    endpoints: [],
    hostColumns: ['Url'],
    urlColumns: ['Url'],
    // UrlChain lists the URLs of a redirect chain that Safe Links followed. The schema types it
    // string, and exports fill it with JSON array text such as ["https://t.co/x","https://a.b/"].
    arrayColumns: { Url: 'UrlChain' },
    hashColumns: [],
    project: [
      timeColumn,
      'AccountUpn',
      'ActionType',
      'Url',
      'UrlChain',
      'IsClickedThrough',
      'IPAddress',
      'Workload',
    ],
  };
}

/** Every data source huntpack writes hunts for, in the order the report lists them. */
export const DATA_SOURCES: readonly DataSourceEntry[] = [
  {
    id: 'sentinel-commonsecuritylog',
    slug: 'sentinel-csl',
    table: 'CommonSecurityLog',
    platform: 'sentinel',
    timeColumn: 'TimeGenerated',
    product: 'Firewalls, proxies and other appliances sending CEF',
    connector: CSL_CONNECTOR,
    endpoints: [
      // WAFs such as Barracuda's write the server address as `dhost` and leave `dst` as `-`.
      {
        side: 'destination',
        address: 'DestinationIP',
        addressFallback: 'DestinationHostName',
        port: 'DestinationPort',
      },
      { side: 'source', address: 'SourceIP', port: 'SourcePort' },
    ],
    hostColumns: ['DestinationHostName', 'RequestURL'],
    urlColumns: ['RequestURL'],
    // WAFs such as FortiWeb and Barracuda write `dhost=site dpt=8080 request=/path`.
    urlHosts: { RequestURL: 'DestinationHostName' },
    urlPorts: { RequestURL: 'DestinationPort' },
    // Antivirus, sandboxes and mail gateways (Trend Micro Apex One, Check Point, Cisco ESA) send
    // the hash of a file they saw as `fileHash`, as MD5, SHA1 or SHA256 in either case.
    hashColumns: ['FileHash'],
    project: CSL_PROJECT,
  },
  networkEvents('sentinel'),
  networkEvents('defender'),
  deviceEvents('sentinel'),
  deviceEvents('defender'),
  deviceEventFiles('sentinel'),
  deviceEventFiles('defender'),
  {
    id: 'sentinel-dnsevents',
    slug: 'sentinel-dns',
    table: 'DnsEvents',
    platform: 'sentinel',
    timeColumn: 'TimeGenerated',
    product: 'Windows DNS servers',
    // The AMA connector "Windows DNS Events via AMA" writes ASimDnsActivityLogs, not DnsEvents.
    connector:
      'DNS (Windows DNS servers through the Log Analytics agent, which Microsoft retired in August 2024; Windows DNS Events via AMA writes ASimDnsActivityLogs instead)',
    endpoints: [],
    // Addresses of the answer, comma-separated, such as `1.2.3.4,5.6.7.8`.
    answerAddressColumns: ['IPAddresses'],
    hostColumns: ['Name'],
    urlColumns: [],
    hashColumns: [],
    project: [
      'TimeGenerated',
      'Computer',
      'ClientIP',
      'Name',
      'QueryType',
      'IPAddresses',
      'ResultCode',
    ],
  },
  {
    id: 'sentinel-asimdnsactivitylogs',
    slug: 'sentinel-asimdns',
    table: 'ASimDnsActivityLogs',
    platform: 'sentinel',
    timeColumn: 'TimeGenerated',
    product: 'Windows DNS servers and other DNS sources normalized to the ASIM DNS schema',
    // The `_Im_Dns` parser also unifies DnsEvents and other sources' own tables, and those
    // tables have hunts of their own here.
    connector: 'Windows DNS Events via AMA (and other connectors that write ASimDnsActivityLogs)',
    endpoints: [],
    // The ASIM DNS schema leaves the answer's format to each source, so its addresses are read
    // as tokens (see `addressListTokens`).
    answerAddressColumns: ['DnsResponseName'],
    hostColumns: ['DnsQuery'],
    urlColumns: [],
    hashColumns: [],
    project: [
      'TimeGenerated',
      'Dvc',
      'SrcIpAddr',
      'SrcHostname',
      'SrcProcessName',
      'EventSubType',
      'DnsQuery',
      'DnsQueryTypeName',
      'DnsResponseName',
      'EventResultDetails',
      'DvcAction',
      'EventProduct',
    ],
  },
  urlClicks('sentinel'),
  urlClicks('defender'),
  fileTable('DeviceFileEvents', 'sentinel'),
  fileTable('DeviceFileEvents', 'defender'),
  fileTable('DeviceProcessEvents', 'sentinel'),
  fileTable('DeviceProcessEvents', 'defender'),
  fileTable('DeviceImageLoadEvents', 'sentinel'),
  fileTable('DeviceImageLoadEvents', 'defender'),
];

/** Returns the event columns of an endpoint's `ip` match key. */
export function addressKeyColumns(endpoint: Endpoint): Pick<MatchKey, 'column' | 'fallbackColumn'> {
  return endpoint.addressFallback === undefined
    ? { column: endpoint.address }
    : { column: endpoint.address, fallbackColumn: endpoint.addressFallback };
}

/**
 * Returns the event columns of an endpoint's port match key. With an address fallback the key
 * also reads the port that the fallback column writes, when the address comes from it too.
 */
export function portKeyColumns(
  endpoint: Endpoint,
): Pick<MatchKey, 'column' | 'fallbackColumn' | 'addressColumn'> {
  return endpoint.addressFallback === undefined
    ? { column: endpoint.port }
    : {
        column: endpoint.port,
        fallbackColumn: endpoint.addressFallback,
        addressColumn: endpoint.address,
      };
}

/** Returns the event columns of the `url` match key of one of a source's URL columns. */
export function urlKeyColumns(
  source: DataSourceEntry,
  column: string,
): Pick<MatchKey, 'column' | 'hostColumn' | 'portColumn' | 'arrayColumn'> {
  const host = source.urlHosts?.[column];
  const key: Pick<MatchKey, 'column' | 'hostColumn' | 'portColumn' | 'arrayColumn'> =
    host === undefined ? { column } : { column, hostColumn: host };
  const port = source.urlPorts?.[column];
  if (host !== undefined && port !== undefined) key.portColumn = port;
  const array = source.arrayColumns?.[column];
  if (array !== undefined) key.arrayColumn = array;
  return key;
}

/** Returns the event columns of the `host-suffix` match key of one of a source's host columns. */
export function hostKeyColumns(
  source: DataSourceEntry,
  column: string,
): Pick<MatchKey, 'column' | 'arrayColumn'> {
  const array = source.arrayColumns?.[column];
  return array === undefined ? { column } : { column, arrayColumn: array };
}

/** Returns the catalog entry with this id. */
export function getDataSource(id: string): DataSourceEntry {
  const entry = DATA_SOURCES.find((candidate) => candidate.id === id);
  if (!entry) throw new Error(`Unknown data source "${id}".`);
  return entry;
}

/** What a column that hunts compare holds, which decides what value it can match with. */
export type ComparedKind = 'address' | 'host' | 'url' | 'hash';

/**
 * Returns every column that some hunt of `table` compares, whatever the indicators, with the kind
 * of value in it: the addresses, host names, URLs, DNS answers and hashes of its data sources. A
 * log whose events have a value in none of them gives no hunt of that table anything to compare.
 */
export function comparableColumns(table: string): Map<string, ComparedKind> {
  const columns = new Map<string, ComparedKind>();
  const add = (kind: ComparedKind, names: readonly string[]): void => {
    for (const name of names) if (!columns.has(name)) columns.set(name, kind);
  };
  for (const source of DATA_SOURCES) {
    if (source.table !== table) continue;
    for (const endpoint of source.endpoints) {
      add('address', [endpoint.address]);
      if (endpoint.addressFallback !== undefined) add('host', [endpoint.addressFallback]);
    }
    add('url', source.urlColumns);
    add('host', source.hostColumns);
    add('host', source.answerAddressColumns ?? []);
    add('url', Object.values(source.arrayColumns ?? {}));
    add('hash', source.hashColumns);
  }
  return columns;
}
