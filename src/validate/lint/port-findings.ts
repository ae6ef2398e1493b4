/**
 * Findings about how a query compares the ports of the ip:port indicators it names:
 * PORT_IGNORED, PORT_NOT_COMPARED, PORT_WRONG_END, PORT_ANY_ADDRESS and PORT_SWAPPED.
 */
import type { HuntpackIssue } from '../../errors.js';
import type { KqlBlock } from './kql-blocks.js';
import { CharKind, lineAndColumn, scanKql } from './kql-scan.js';
import { ipPortText, joinWords } from './port-exclusion.js';
import {
  canonicalAddress,
  comparedEnds,
  readEndCondition,
  readPairings,
  readUnlistedPairs,
  type AddressPairing,
  type ConnectionEnd,
  type UnlistedPair,
} from './port-pairing.js';

/** Listed ports by address. */
type PortsByAddress = ReadonlyMap<string, ReadonlySet<string>>;

/** Writes up to three addresses with their listed ports, as `1.2.3.4:80, 5.6.7.8:443/8443`. */
function examplesOf(addresses: string[], listed: PortsByAddress): string {
  const shown = addresses
    .slice(0, 3)
    .map((address) => ipPortText({ address, port: [...(listed.get(address) ?? [])].join('/') }));
  const more = addresses.length > 3 ? `, and ${addresses.length - 3} more` : '';
  return `${shown.join(', ')}${more}`;
}

/** Builds the PORT_IGNORED finding for addresses that the query matches on any port. */
export function portIgnoredIssue(
  block: KqlBlock,
  named: string[],
  listed: PortsByAddress,
  file: string,
): HuntpackIssue {
  const addresses =
    named.length === 1
      ? '1 address that the report lists as an ip:port indicator'
      : `${named.length} addresses that the report lists as ip:port indicators`;
  const those = named.length === 1 ? 'that address' : 'those addresses';
  const examples = [examplesOf(named, listed)];
  return {
    code: 'PORT_IGNORED',
    severity: 'warning',
    message:
      `Query at lines ${block.startLine}-${block.endLine} matches ${addresses} ` +
      `(${examples.join(', ')}) on any port, so every other service on ${those} matches too. ` +
      'Compare the port as well (DestinationPort or RemotePort), or label the query address-only.',
    source: { file, line: block.startLine },
  };
}

/** Builds the PORT_NOT_COMPARED finding for addresses whose listed ports the query never keeps. */
export function portNotComparedIssue(
  block: KqlBlock,
  unported: string[],
  listed: PortsByAddress,
  file: string,
): HuntpackIssue {
  return {
    code: 'PORT_NOT_COMPARED',
    severity: 'warning',
    message:
      `Query at lines ${block.startLine}-${block.endLine} compares ports, but not the port that ` +
      `the report lists for ${unported.length === 1 ? '1 address' : `${unported.length} addresses`} ` +
      `it names (${examplesOf(unported, listed)}), so those indicators are matched on other ports or ` +
      'not at all. Compare each address with its own port.',
    source: { file, line: block.startLine },
  };
}

/**
 * Checks the pairing of addresses and ports in a query whose address and port conditions are
 * all in the filter language, or returns undefined for another query. `named` maps each listed
 * address the query names to its listed ports. An address in `excluded` is reported by
 * PORT_EXCLUDED already, so it gets no PORT_NOT_COMPARED nor PORT_IGNORED.
 */
export function lintPortPairings(
  block: KqlBlock,
  named: PortsByAddress,
  file: string,
  excluded: ReadonlySet<string>,
): HuntpackIssue[] | undefined {
  const expr = readEndCondition(block.text);
  // With no address column compared, as where a lookup matches the addresses, there is
  // nothing to pair.
  if (!expr || comparedEnds(expr).length === 0) return undefined;
  const pairings = readPairings(expr, named);
  if (pairings.length === 0) return undefined;
  const issues: HuntpackIssue[] = [];

  for (const pairing of pairings) {
    const { wrongEnd } = pairing;
    if (!wrongEnd) continue;
    const listedPort = `${wrongEnd.value}, the port that the report lists for ${pairing.address}`;
    const ownPort = wrongEnd.address.replace(/I[Pp](?:Addr)?$/, (suffix) =>
      suffix === 'IpAddr' ? 'PortNumber' : 'Port',
    );
    issues.push({
      code: 'PORT_WRONG_END',
      severity: 'warning',
      message:
        `Query at lines ${block.startLine}-${block.endLine} compares ${wrongEnd.port} with ` +
        `${listedPort}, but names that address in ${wrongEnd.address}, whose port is ` +
        `${ownPort}. ${wrongEnd.port} is the port of the other end of the connection, so the ` +
        `query misses ${ipPortText({ address: pairing.address, port: wrongEnd.value })}. ` +
        `Compare ${ownPort} == ${wrongEnd.value} in its place.`,
      source: { file, ...columnPosition(block, wrongEnd.port) },
    });
  }

  const unported = pairings
    .filter((pairing) => pairing.matchedPorts.length === 0 && !pairing.wrongEnd)
    .map((pairing) => pairing.address)
    .filter((address) => !excluded.has(address));
  if (unported.length > 0) issues.push(portNotComparedIssue(block, unported, named, file));

  for (const pairing of pairings) {
    if (pairing.anyAddress)
      issues.push(anyAddressIssue(block, file, pairing.address, pairing.anyAddress));
  }

  // The rewrite needs every pairing, because it replaces the sound pairs too.
  if (pairings.some((pairing) => pairing.swapped)) {
    issues.push(swappedIssue(block, file, pairings, named, readUnlistedPairs(expr, named)));
  }

  const anyPort = anyPortAddresses(pairings).filter((address) => !excluded.has(address));
  if (anyPort.length > 0) issues.push(portIgnoredIssue(block, anyPort, named, file));
  return issues;
}

/**
 * Returns the listed addresses that a query keeps on a port the report does not list for them,
 * or none when its address and port conditions are not all in the filter language.
 */
export function findAnyPortAddresses(query: string, named: PortsByAddress): string[] {
  const expr = readEndCondition(query);
  if (!expr || comparedEnds(expr).length === 0) return [];
  return anyPortAddresses(readPairings(expr, named));
}

/**
 * PORT_ANY_ADDRESS already names an address that a condition joined with or keeps on any port,
 * so such an address is left out.
 */
function anyPortAddresses(pairings: AddressPairing[]): string[] {
  return pairings
    .filter((pairing) => pairing.otherPort !== undefined && !pairing.anyAddress)
    .map((pairing) => pairing.address);
}

/** Builds the PORT_ANY_ADDRESS finding for a listed port that the query keeps on any address. */
function anyAddressIssue(
  block: KqlBlock,
  file: string,
  address: string,
  { end, port }: { end: ConnectionEnd; port: string },
): HuntpackIssue {
  const indicator = ipPortText({ address, port });
  return {
    code: 'PORT_ANY_ADDRESS',
    severity: 'warning',
    message:
      `Query at lines ${block.startLine}-${block.endLine} keeps every connection on port ${port}, ` +
      `whatever its address, so it matches every service on that port and not only ${indicator}. ` +
      `Its condition compares the address and the port separately, as ${end.address} == ` +
      `"${address}" or ${end.port} == ${port} does. Join them with and: ` +
      `${end.address} == "${address}" and ${end.port} == ${port}.`,
    source: { file, ...columnPosition(block, end.port) },
  };
}

/** Addresses of one end, as the query writes them, with the ports a rewrite pairs them with. */
interface RewritePair {
  addresses: string[];
  /** The ports, or none for an address that the query keeps on any port. */
  ports: string[];
}

/** Maximum address groups in a PORT_SWAPPED rewrite. Past it, the finding advises a lookup. */
const MAX_REWRITE_GROUPS = 4;

/** Builds the PORT_SWAPPED finding for the pairings that keep an address on another's port. */
function swappedIssue(
  block: KqlBlock,
  file: string,
  pairings: AddressPairing[],
  named: PortsByAddress,
  unlisted: UnlistedPair[],
): HuntpackIssue {
  const swapped = pairings.flatMap((pairing) =>
    pairing.swapped ? [{ ...pairing, swapped: pairing.swapped }] : [],
  );
  const end = swapped[0]?.swapped.end ?? { address: 'RemoteIP', port: 'RemotePort' };

  const shown = swapped.slice(0, 3);
  const pairs = shown.map(({ address, swapped }) => ipPortText({ address, port: swapped.port }));
  const owners = [
    ...new Set(shown.map(({ swapped }) => `port ${swapped.port} for ${swapped.owner}`)),
  ];
  const pairCount = swapped.reduce((count, pairing) => count + pairing.swapped.ports.length, 0);
  if (pairCount > shown.length) pairs.push(`${pairCount - shown.length} more pairs`);

  // `A in (..) and port in (..)` keeps each address on its own port too, and a wrong pairing
  // such as `(A and pB) or (B and pA)` does not.
  const crossed = swapped.every((pairing) => pairing.matchedPorts.length > 0);
  const cause = crossed
    ? 'The query compares the addresses and the ports separately, so each address also matches ' +
      'on the ports of the others.'
    : 'The query pairs those addresses with ports of other addresses.';

  const hunted = pairings.filter(
    (pairing) =>
      pairing.matchedPorts.length > 0 ||
      pairing.swapped ||
      pairing.wrongEnd ||
      pairing.otherPort !== undefined,
  );
  // The rewrite hunts each end the query compares, as DestinationIP and SourceIP, so that no
  // side of the connection is lost. An address read on no end, such as one compared with the
  // port of the other end, is hunted on the end of the first swapped address.
  const ends = [...new Set(hunted.flatMap((pairing) => pairing.ends))];
  if (ends.length === 0) ends.push(end);
  for (const pair of unlisted) if (!ends.includes(pair.end)) ends.push(pair.end);
  // Each address is written in every form the query wrote it in, because == compares strings.
  const huntedByEnd = ends.map((huntedEnd): [ConnectionEnd, RewritePair[]] => [
    huntedEnd,
    [
      ...hunted
        .filter((pairing) =>
          pairing.ends.length === 0 ? huntedEnd === end : pairing.ends.includes(huntedEnd),
        )
        .map((pairing) => ({
          addresses: pairing.written.length > 0 ? pairing.written : [pairing.address],
          ports: [...(named.get(pairing.address) ?? [])],
        })),
      ...unlisted
        .filter((pair) => pair.end === huntedEnd)
        .map((pair) => ({ addresses: [pair.address], ports: pair.ports })),
    ],
  ]);
  const kept = unlisted.map((pair) =>
    pair.ports.length === 0
      ? `${pair.address} on any port`
      : `${pair.address} on port ${pair.ports.join('/')} only`,
  );
  const others = joinWords([...new Set(unlisted.map((pair) => pair.address))]);
  const unlistedNote =
    kept.length === 0
      ? ''
      : `The query also compares ${others}, which the report does not list, and the rewrite ` +
        `keeps ${joinWords(kept)}. `;
  return {
    code: 'PORT_SWAPPED',
    severity: 'warning',
    message:
      `Query at lines ${block.startLine}-${block.endLine} matches ${joinWords(pairs)}, which ` +
      `the report does not list: it lists ${joinWords(owners)}. ${cause} ${unlistedNote}` +
      ownPortAdvice(huntedByEnd, unlisted.length),
    source: { file, ...columnPosition(block, end.port) },
  };
}

/**
 * Writes the advice to compare each address with its own listed ports on each hunted end. It is
 * a condition that puts the addresses of one end with the same ports in one `in`, or a lookup
 * when that takes more than MAX_REWRITE_GROUPS groups for each end.
 */
function ownPortAdvice(
  huntedByEnd: Array<[ConnectionEnd, RewritePair[]]>,
  unlistedCount: number,
): string {
  const groups: string[] = [];
  for (const [end, hunted] of huntedByEnd) {
    const byPorts = new Map<string, string[]>();
    for (const { addresses, ports } of hunted) {
      const key = [...ports].sort((a, b) => Number(a) - Number(b)).join(', ');
      byPorts.set(key, [...(byPorts.get(key) ?? []), ...addresses]);
    }
    for (const [ports, addresses] of byPorts) {
      const address =
        addresses.length === 1
          ? `${end.address} == "${addresses[0]}"`
          : `${end.address} in (${addresses.map((value) => `"${value}"`).join(', ')})`;
      if (ports === '') {
        groups.push(`(${address})`);
        continue;
      }
      const port = ports.includes(',') ? `${end.port} in (${ports})` : `${end.port} == ${ports}`;
      groups.push(`(${address} and ${port})`);
    }
  }
  // The groups of unlisted addresses are extra, because a lookup on the listed pairs loses them.
  if (groups.length - unlistedCount > MAX_REWRITE_GROUPS * huntedByEnd.length) {
    const lookups = huntedByEnd.map(
      ([end]) =>
        `| lookup kind=inner (Iocs) on $left.${end.address} == $right.IocAddress, ` +
        `$left.${end.port} == $right.IocPort`,
    );
    const each = lookups.length > 1 ? ', once for each end of the connection,' : '';
    return (
      'Match each address with its own ports through a lookup on a table of the listed pairs' +
      (unlistedCount > 0 ? ' and the pairs kept above, ' : ', ') +
      'as the port-aware hunts of huntpack build do: let Iocs = datatable(IocAddress:string, ' +
      `IocPort:int) [...]; and${each} ${lookups.join(' and ')}.`
    );
  }
  return `Replace those comparisons with: ${groups.join(' or ')}.`;
}

/** A string literal that may be an IPv6 address, or an IPv4 address in an IPv6 form. */
const IPV6_LITERAL =
  /"([0-9A-Fa-f:.[\]]*:[0-9A-Fa-f:.[\]]*)"|'([0-9A-Fa-f:.[\]]*:[0-9A-Fa-f:.[\]]*)'/g;

/**
 * Returns the listed addresses that a query names, as a map to their listed ports. An address
 * named in another form, such as `::ffff:45.9.148.10` for 45.9.148.10, counts as the listed one.
 */
export function namedAddresses(query: string, listed: PortsByAddress): Map<string, Set<string>> {
  const written = new Set<string>();
  for (const match of query.matchAll(IPV6_LITERAL)) {
    const address = canonicalAddress(match[1] ?? match[2] ?? '');
    if (address !== undefined) written.add(address);
  }
  const named = new Map<string, Set<string>>();
  for (const [address, ports] of listed) {
    if (query.includes(`"${address}"`) || written.has(address)) {
      named.set(address, new Set(ports));
    }
  }
  return named;
}

/** Returns the line and column of the first use of `column` in the code of a query. */
function columnPosition(block: KqlBlock, column: string): { line: number; column?: number } {
  const scanned = scanKql(block.text);
  for (const match of scanned.text.matchAll(new RegExp(String.raw`\b${column}\b`, 'g'))) {
    if (scanned.kinds[match.index] !== CharKind.Code) continue;
    return lineAndColumn(scanned.text, match.index, block.startLine);
  }
  return { line: block.startLine };
}
