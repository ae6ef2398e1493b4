/**
 * False-positive scenarios: benign activity that a hunt would match, each with an exclusion in
 * the backend-neutral filter form over the real columns of the tables it applies to.
 *
 * A scenario that is on by default is compiled into every hunt it applies to; the others are
 * listed in the report as ready exclusions, because they need the site's own values (scanner
 * addresses, tool names) or would hide hits that some teams want to see.
 */
import type { Exclusion, FilterExpr, HuntVariant } from '../compile/ir.js';
import type { SourceLocation } from '../errors.js';
import type { DataSourceEntry } from './data-sources.js';

export interface Scenario extends Exclusion {
  /** Tables whose columns the filter names. */
  tables: string[];
  /** Hunt variants the scenario concerns. */
  variants: HuntVariant[];
  /** Whether the exclusion is compiled into hunts without being asked for. */
  enabledByDefault: boolean;
  /** File and line of the filter, for a scenario read from a user's exclusions file. */
  source?: SourceLocation;
}

/** Firewall verbs for a connection that was not allowed, as CEF `act` values spell them. */
const DENY_ACTIONS = [
  'deny',
  'denied',
  'drop',
  'dropped',
  'block',
  'blocked',
  'reject',
  'rejected',
  'reset-both',
  'reset-client',
  'reset-server',
];

const deniedInbound: FilterExpr = {
  kind: 'and',
  terms: [
    { kind: 'compare', column: 'MatchedOn', op: '==', value: 'source' },
    { kind: 'in', column: 'DeviceAction', values: DENY_ACTIONS, caseInsensitive: true },
  ],
};

/** Network scanners and security tools that connect to indicator addresses on purpose. */
const SCANNER_PROCESSES = [
  'nmap.exe',
  'masscan.exe',
  'nessusd.exe',
  'nessus-service.exe',
  'qualysagent.exe',
];

/** Processes of Microsoft Defender Antivirus that read files while scanning or quarantining. */
const DEFENDER_PROCESSES = ['MsMpEng.exe', 'MpDefenderCoreService.exe', 'MpCmdRun.exe'];

/**
 * Folders that Defender Antivirus runs from: the platform update folder, which has one subfolder
 * per version, and the install folder of older platforms. Defender exports fill
 * InitiatingProcessFolderPath with either the folder or the full path of the executable, in any
 * case, so the filter tests a prefix ending in a backslash and the bare install folder.
 * NOTE: Windows installed on a drive other than C: is not covered, so Defender's own events there
 * stay in the hunt.
 */
const DEFENDER_PLATFORM_FOLDER = 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\';
const DEFENDER_INSTALL_FOLDER = 'C:\\Program Files\\Windows Defender';

/** Defender Antivirus by process name and by the folder it runs from. */
const defenderProcess: FilterExpr = {
  kind: 'and',
  terms: [
    {
      kind: 'in',
      column: 'InitiatingProcessFileName',
      values: DEFENDER_PROCESSES,
      caseInsensitive: true,
    },
    {
      kind: 'or',
      terms: [
        {
          kind: 'text',
          column: 'InitiatingProcessFolderPath',
          op: 'startswith',
          value: DEFENDER_PLATFORM_FOLDER,
        },
        {
          kind: 'text',
          column: 'InitiatingProcessFolderPath',
          op: 'startswith',
          value: `${DEFENDER_INSTALL_FOLDER}\\`,
        },
        {
          kind: 'compare',
          column: 'InitiatingProcessFolderPath',
          op: '==',
          value: DEFENDER_INSTALL_FOLDER,
          caseInsensitive: true,
        },
      ],
    },
  ],
};

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'denied-inbound-probe',
    title: 'Inbound probe from an indicator address that the firewall denied',
    description:
      'C2 servers also scan the internet. A connection from an indicator address that the ' +
      'firewall denied is internet noise, not an infected host; the outbound direction and ' +
      'allowed inbound connections stay in the hunt. The port-aware hunt keeps denied ' +
      'packets too: a scan comes from a random port, so a packet from the C2 port is more ' +
      'likely the late reply of a connection that a device opened.',
    filter: deniedInbound,
    tables: ['CommonSecurityLog'],
    variants: ['address-only'],
    enabledByDefault: true,
  },
  {
    id: 'denied-inbound-endpoint',
    title: 'Inbound probe from an indicator address that the endpoint firewall blocked',
    description:
      'C2 servers also scan the internet. A connection from an indicator address that Windows ' +
      'Firewall blocked is internet noise, not an infected host; blocked outbound connections ' +
      'stay in the hunt. The port-aware hunt keeps blocked connections from the C2 port, which ' +
      'a scan from a random port would not match.',
    filter: {
      kind: 'in',
      column: 'ActionType',
      values: ['FirewallInboundConnectionBlocked', 'FirewallInboundConnectionToAppBlocked'],
    },
    tables: ['DeviceEvents'],
    variants: ['address-only'],
    enabledByDefault: true,
  },
  {
    id: 'security-scanner-process',
    title: 'Network scanner or vulnerability scanner on an endpoint',
    description:
      'A scanner run by the security team connects to every address in a range, indicator ' +
      'addresses included. Add the scanners your team runs.',
    filter: {
      kind: 'in',
      column: 'InitiatingProcessFileName',
      values: SCANNER_PROCESSES,
      caseInsensitive: true,
    },
    tables: ['DeviceNetworkEvents', 'DeviceEvents'],
    variants: ['port-aware', 'address-only', 'domain', 'url'],
    enabledByDefault: false,
  },
  {
    id: 'internal-scanner-address',
    title: 'Internal vulnerability scanner seen by the firewall',
    description:
      'The firewall logs the scanner host connecting to indicator addresses. Replace the ' +
      'documentation address 192.0.2.10 with your scanners before enabling this exclusion.',
    filter: { kind: 'in', column: 'SourceIP', values: ['192.0.2.10'] },
    tables: ['CommonSecurityLog'],
    variants: ['port-aware', 'address-only', 'domain', 'url'],
    enabledByDefault: false,
  },
  {
    id: 'antivirus-quarantine',
    title: 'Antivirus scanning or quarantining the malicious file',
    description:
      'Defender Antivirus reads and moves a detected file into its quarantine folder, which ' +
      'logs file events with the indicator hash. The event that first wrote the file is kept. ' +
      'The exclusion also requires the process to run from a Defender folder, under ' +
      'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform or C:\\Program Files\\Windows ' +
      'Defender, because attackers drop a copy of MsMpEng.exe into other folders. In the 2021 REvil attack through Kaseya ' +
      'VSA, a dropped MsMpEng.exe side-loaded the ransomware DLL, and a match on the name alone ' +
      'would hide its file events.',
    filter: defenderProcess,
    tables: ['DeviceFileEvents'],
    variants: ['hash'],
    enabledByDefault: true,
  },
];

/** Returns the scenarios, built-in and the user's, that apply to a data source and hunt variant. */
export function scenariosFor(
  source: DataSourceEntry,
  variant: HuntVariant,
  userScenarios: readonly Scenario[] = [],
): Scenario[] {
  return [...SCENARIOS, ...userScenarios].filter(
    (scenario) => scenario.tables.includes(source.table) && scenario.variants.includes(variant),
  );
}

/** Returns the exclusions compiled into a hunt: the applicable scenarios that are on. */
export function defaultExclusions(
  source: DataSourceEntry,
  variant: HuntVariant,
  userScenarios: readonly Scenario[] = [],
): Exclusion[] {
  return scenariosFor(source, variant, userScenarios)
    .filter((scenario) => scenario.enabledByDefault)
    .map(({ id, title, description, filter }) => ({ id, title, description, filter }));
}
