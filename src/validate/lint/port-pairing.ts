/**
 * Reads how a query pairs the addresses of ip:port indicators with their ports. The address and
 * port operands of its `where` clauses are read as one filter. That filter is evaluated on probe
 * rows, such as a connection to a listed address on its listed port or on another port,
 * on the port of another listed address, and one to an unlisted address on a listed port. An
 * address is paired with the port column of the same end of the connection, as RemoteIP with
 * RemotePort.
 */
import type { FilterExpr } from '../../compile/ir.js';
import { parseAddress } from '../../indicators/address.js';
import { isRejection } from '../../indicators/rejection.js';
import { listAtoms } from '../../pipeline/filter-check/analyze.js';
import { evaluateFilter, type CellValue } from '../../pipeline/filter-check/evaluate.js';
import { parseFilter } from '../../pipeline/filter-lang/parse.js';
import {
  CharKind,
  closingBracket,
  findWhereClauses,
  scanKql,
  splitTopLevelAnd,
  type ScannedKql,
} from './kql-scan.js';

/** An end of a connection: its address column and the port column of the same end. */
export interface ConnectionEnd {
  address: string;
  port: string;
}

/**
 * The ends of a connection in the network tables the reports hunt in: DeviceNetworkEvents
 * (RemoteIP, LocalIP), CommonSecurityLog (DestinationIP, SourceIP, and RemoteIP), AZFWNetworkRule
 * (DestinationIp, SourceIp) and ASimNetworkSessionLogs (DstIpAddr, SrcIpAddr).
 */
export const CONNECTION_ENDS: readonly ConnectionEnd[] = [
  { address: 'RemoteIP', port: 'RemotePort' },
  { address: 'LocalIP', port: 'LocalPort' },
  { address: 'DestinationIP', port: 'DestinationPort' },
  { address: 'SourceIP', port: 'SourcePort' },
  { address: 'DestinationIp', port: 'DestinationPort' },
  { address: 'SourceIp', port: 'SourcePort' },
  { address: 'DstIpAddr', port: 'DstPortNumber' },
  { address: 'SrcIpAddr', port: 'SrcPortNumber' },
];

/** An address of the RFC 5737 documentation range, for an address that the report does not list. */
const UNLISTED_ADDRESS = '192.0.2.1';
/** Ports of another service on a listed address: the lowest, a dynamic one and the highest. */
const OTHER_PORTS = [1, 50000, 65535];

const END_COLUMNS = new Set(CONNECTION_ENDS.flatMap((end) => [end.address, end.port]));
const END_COLUMN_WORD = new RegExp(String.raw`\b(?:${[...END_COLUMNS].join('|')})\b`);

/**
 * Returns the conjunction of the `where` operands of a query that compare an address or port
 * column, or undefined when there is none or one of them is not in the filter language.
 */
export function readEndCondition(query: string): FilterExpr | undefined {
  const scanned = scanKql(query);
  const terms: FilterExpr[] = [];
  const antiSides = findAntiJoinSides(scanned);
  for (const clause of findWhereClauses(scanned)) {
    if (antiSides.some((side) => side.start <= clause.start && clause.start < side.end)) continue;
    const kinds = scanned.kinds.subarray(clause.start, clause.start + clause.text.length);
    const lists = readLetLists(scanned, clause.start);
    for (const operand of splitTopLevelAnd(clause.text, kinds)) {
      const operandKinds = kinds.subarray(operand.start, operand.start + operand.text.length);
      const code = codeOf(operand.text, operandKinds);
      if (!END_COLUMN_WORD.test(code)) continue;
      const parsed = parseFilter(normalizeKql(operand.text, operandKinds, lists));
      if (!parsed.expr || parsed.issues.some((issue) => issue.severity === 'error')) {
        return undefined;
      }
      terms.push(parsed.expr);
    }
  }
  if (terms.length === 0) return undefined;
  return terms.length === 1 ? terms[0] : { kind: 'and', terms };
}

/** A `join` of a kind that drops the rows its right side matches, up to that side's `(`. */
const ANTI_JOIN = /\|\s*join\s+kind\s*=\s*(?:left|right)?anti(?:semi)?\b[^(|]*\(/g;

/**
 * Returns the bracketed right sides of the anti-joins of a query. A `where` there selects the
 * rows to drop, so it is no filter of the rows the query keeps.
 */
function findAntiJoinSides(scanned: ScannedKql): Array<{ start: number; end: number }> {
  const sides: Array<{ start: number; end: number }> = [];
  for (const match of scanned.text.matchAll(ANTI_JOIN)) {
    if (scanned.kinds[match.index] !== CharKind.Code) continue;
    const start = match.index + match[0].length;
    sides.push({ start, end: closingBracket(scanned, start) });
  }
  return sides;
}

/** A `let NAME = dynamic([...])` statement, with the list's contents in group 2. */
export const LET_DYNAMIC_LIST = /\blet\s+([A-Za-z_]\w*)\s*=\s*dynamic\s*\(\s*\[([^\]]*)\]\s*\)/g;
/** A literal that the filter language reads: a string in either quote or a whole number. */
const LIST_LITERAL = /^(?:"[^"\\]*"|'[^'\\]*'|-?\d+)$/;

/**
 * Returns the lists of literals that `let NAME = dynamic([...])` statements before `end` set, by
 * name, as the text of their items. A later statement of the same name replaces an earlier
 * one. A list with any other item, such as a call, is left out.
 */
export function readLetLists(scanned: ScannedKql, end: number): Map<string, string> {
  const lists = new Map<string, string>();
  for (const match of scanned.text.matchAll(LET_DYNAMIC_LIST)) {
    if (match.index >= end) break;
    if (scanned.kinds[match.index] !== CharKind.Code) continue;
    const [, name = '', contents = ''] = match;
    const items = contents.split(',').map((item) => item.trim());
    if (items.every((item) => LIST_LITERAL.test(item))) lists.set(name, items.join(', '));
  }
  return lists;
}

/** Returns the text with string contents blanked. */
function codeOf(text: string, kinds: Uint8Array): string {
  let code = '';
  for (let index = 0; index < text.length; index++) {
    code += kinds[index] === CharKind.Code ? (text[index] ?? '') : ' ';
  }
  return code;
}

/**
 * A `between` of two whole numbers, as in `RemotePort between (4440 .. 4450)`, or its `!between`
 * negation. It is sticky, so it matches only where the scan tries it.
 */
const NUMBER_BETWEEN = /(?<![\w.])([A-Za-z_]\w*)\s*(!?)between\s*\(\s*(\d+)\s*\.\.\s*(\d+)\s*\)/iy;

/**
 * A conversion of an address or port column to its own kind of value, as `toint(RemotePort)` or
 * `tostring(RemoteIP)`. It is sticky, as NUMBER_BETWEEN is.
 */
const COLUMN_CONVERSION = new RegExp(
  String.raw`(?<![\w.])(?:toint|tolong|tostring)\s*\(\s*(${[...END_COLUMNS].join('|')})\s*\)`,
  'y',
);

/** An `in` of a name alone, as `in (c2_addresses)`. It is sticky, as NUMBER_BETWEEN is. */
const NAMED_IN_LIST = /(?<![\w.])(!?in~?)\s*\(\s*([A-Za-z_]\w*)\s*\)/y;

/**
 * Rewrites the Kusto operators that the filter language lacks: `<>` as `!=`, a `between` of two
 * whole numbers as the two comparisons it makes, under `not` for `!between`, and a conversion
 * of an address or port column as the column. An `in` of a name in `lists` gets that list's
 * items. Strings are kept as written. A `between` of other values, such as times, is left for
 * the parser to reject.
 */
export function normalizeKql(
  text: string,
  kinds: Uint8Array,
  lists: ReadonlyMap<string, string> = new Map(),
): string {
  let normalized = '';
  let index = 0;
  while (index < text.length) {
    const isCode = kinds[index] === CharKind.Code;
    if (isCode && text.startsWith('<>', index)) {
      normalized += '!=';
      index += 2;
      continue;
    }
    NUMBER_BETWEEN.lastIndex = index;
    const between = isCode ? NUMBER_BETWEEN.exec(text) : null;
    if (between) {
      const [whole, column, negated, low, high] = between;
      const range = `(${column} >= ${low} and ${column} <= ${high})`;
      normalized += negated ? `not ${range}` : range;
      index += whole.length;
      continue;
    }
    NAMED_IN_LIST.lastIndex = index;
    const named = isCode ? NAMED_IN_LIST.exec(text) : null;
    const items = named ? lists.get(named[2] ?? '') : undefined;
    if (named && items !== undefined) {
      normalized += `${named[1] ?? 'in'} (${items})`;
      index += named[0].length;
      continue;
    }
    COLUMN_CONVERSION.lastIndex = index;
    const conversion = isCode ? COLUMN_CONVERSION.exec(text) : null;
    if (conversion) {
      const [whole, column] = conversion;
      normalized += column;
      index += whole.length;
      continue;
    }
    normalized += text[index] ?? '';
    index += 1;
  }
  return normalized;
}

/** The result of probing a query's condition with one listed address. */
export interface AddressPairing {
  address: string;
  /** The ends on whose address column the condition keeps the address, with some port. */
  ends: ConnectionEnd[];
  /** The address literals of the condition that are this address, as written. */
  written: string[];
  /** The listed ports of the address that the condition keeps, on some end. */
  matchedPorts: string[];
  /** A port column of another end that the condition compares with a listed port, if any. */
  wrongEnd?: { address: string; port: string; value: string };
  /** A port other than the listed ones on which the condition keeps the address. */
  otherPort?: number;
  /** A listed port of the address on which the condition keeps an unlisted address too. */
  anyAddress?: { end: ConnectionEnd; port: string };
  /**
   * A port listed only for another named address, `owner`, on which the condition keeps this,
   * and `ports`, all such ports.
   */
  swapped?: { end: ConnectionEnd; port: string; owner: string; ports: string[] };
}

/**
 * Returns the canonical text of an address literal, as 45.9.148.10 for the IPv4-mapped
 * `::ffff:45.9.148.10`, or undefined for a literal that is not an address.
 */
export function canonicalAddress(literal: string): string | undefined {
  const parsed = parseAddress(literal.trim());
  return isRejection(parsed) ? undefined : parsed.address;
}

/** Returns the ends whose address column the condition compares. */
export function comparedEnds(expr: FilterExpr): ConnectionEnd[] {
  const columns = new Set(listAtoms(expr).map((atom) => atom.column));
  return CONNECTION_ENDS.filter((end) => columns.has(end.address));
}

/** Reads how the condition treats each named address and its listed ports. */
export function readPairings(
  expr: FilterExpr,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
): AddressPairing[] {
  const probe = new ProbeRows(expr);
  const ends = comparedEnds(expr);
  return [...ports].map(([address, listed]) => {
    const matchedPorts = [...listed].filter((port) =>
      ends.some((end) => probe.keeps(end, address, port)),
    );
    const pairing: AddressPairing = {
      address,
      ends: findAddressEnds(probe, ends, address, ports),
      written: probe.formsOf(address),
      matchedPorts,
    };
    if (matchedPorts.length === 0) {
      const wrongEnd = findWrongEnd(probe, ends, address, [...listed]);
      if (wrongEnd) pairing.wrongEnd = wrongEnd;
    }
    const otherPort = OTHER_PORTS.find(
      (port) =>
        !listed.has(String(port)) && ends.some((end) => probe.keeps(end, address, String(port))),
    );
    if (otherPort !== undefined) pairing.otherPort = otherPort;
    for (const end of ends) {
      const port = [...listed].find((value) => probe.keeps(end, UNLISTED_ADDRESS, value));
      if (port) {
        pairing.anyAddress = { end, port };
        break;
      }
    }
    if (otherPort === undefined && !pairing.anyAddress) {
      const swapped = findSwappedPort(probe, ends, address, ports);
      if (swapped) pairing.swapped = swapped;
    }
    return pairing;
  });
}

/**
 * Returns the ends on which the condition keeps `address` with a listed port of any named
 * address, or with another port, on the port column of any end.
 */
function findAddressEnds(
  probe: ProbeRows,
  ends: ConnectionEnd[],
  address: string,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
): ConnectionEnd[] {
  const candidates = new Set([...ports.values()].flatMap((listed) => [...listed]));
  for (const port of OTHER_PORTS) candidates.add(String(port));
  return ends.filter((end) =>
    CONNECTION_ENDS.some((portEnd) =>
      [...candidates].some((port) => probe.keeps(end, address, port, portEnd)),
    ),
  );
}

/** Finds a port listed for another address only, on which the condition keeps `address`. */
function findSwappedPort(
  probe: ProbeRows,
  ends: ConnectionEnd[],
  address: string,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
): AddressPairing['swapped'] {
  const own = ports.get(address) ?? new Set<string>();
  let first: { end: ConnectionEnd; port: string; owner: string } | undefined;
  const kept = new Set<string>();
  for (const [owner, ownerPorts] of ports) {
    for (const port of ownerPorts) {
      if (owner === address || own.has(port)) continue;
      const end = ends.find((candidate) => probe.keeps(candidate, address, port));
      if (!end) continue;
      first ??= { end, port, owner };
      kept.add(port);
    }
  }
  return first ? { ...first, ports: [...kept] } : undefined;
}

/** Finds an end whose port column the condition compares with a listed port of `address`. */
function findWrongEnd(
  probe: ProbeRows,
  ends: ConnectionEnd[],
  address: string,
  listed: string[],
): AddressPairing['wrongEnd'] {
  for (const end of ends) {
    for (const other of CONNECTION_ENDS) {
      if (other.port === end.port || !probe.compares(other.port)) continue;
      const port = listed.find((value) => probe.keeps(end, address, value, other));
      if (port) return { address: end.address, port: other.port, value: port };
    }
  }
  return undefined;
}

/** An address that the report does not list, as written, with the ports the condition keeps it on. */
export interface UnlistedPair {
  end: ConnectionEnd;
  address: string;
  /** The ports, or none when the condition keeps the address on any port. */
  ports: string[];
}

/**
 * Returns each address that the condition compares and `ports` does not list, with the ports it
 * is kept on. Ports that no listed address has are taken when there are any, as 53 for 8.8.8.8
 * in `RemoteIP in ("45.9.148.10", "8.8.8.8") and RemotePort in (4444, 53)`, and all kept ports
 * otherwise.
 */
export function readUnlistedPairs(
  expr: FilterExpr,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
): UnlistedPair[] {
  const probe = new ProbeRows(expr);
  const atoms = listAtoms(expr);
  const listedPorts = new Set([...ports.values()].flatMap((listed) => [...listed]));
  const pairs: UnlistedPair[] = [];
  for (const end of comparedEnds(expr)) {
    const addresses = new Set(
      literalsOf(atoms, end.address).filter((value) => typeof value === 'string'),
    );
    const candidates = new Set(
      CONNECTION_ENDS.flatMap((other) => literalsOf(atoms, other.port)).map(String),
    );
    for (const address of addresses) {
      const canonical = canonicalAddress(address);
      if (canonical === undefined || ports.has(canonical)) continue;
      if (probe.keeps(end, address, String(OTHER_PORTS[1]))) {
        pairs.push({ end, address, ports: [] });
        continue;
      }
      const kept = [...candidates].filter((port) => probe.keeps(end, address, port));
      const unlisted = kept.filter((port) => !listedPorts.has(port));
      const chosen = unlisted.length > 0 ? unlisted : kept;
      if (chosen.length > 0) pairs.push({ end, address, ports: chosen });
    }
  }
  return pairs;
}

/** Returns the string and number literals that `==` and `in` atoms compare `column` with. */
function literalsOf(atoms: ReturnType<typeof listAtoms>, column: string): Array<string | number> {
  return atoms.flatMap((atom) => {
    if (atom.column !== column) return [];
    let values: unknown[] = [];
    if (atom.kind === 'compare' && atom.op === '==') values = [atom.value];
    if (atom.kind === 'in') values = atom.values;
    return values.filter((value) => typeof value === 'string' || typeof value === 'number');
  });
}

/** Builds rows of one connection and evaluates the condition on them. */
class ProbeRows {
  private readonly columns: Set<string>;
  private readonly portsAsText: boolean;
  /** The address literals of the condition written in another form, by canonical address. */
  private readonly spellings = new Map<string, Set<string>>();

  constructor(private readonly expr: FilterExpr) {
    const atoms = listAtoms(expr);
    this.columns = new Set(atoms.map((atom) => atom.column));
    const addressColumns = new Set(CONNECTION_ENDS.map((end) => end.address));
    for (const atom of atoms) {
      if (!addressColumns.has(atom.column)) continue;
      let values: unknown[] = [];
      if (atom.kind === 'compare') values = [atom.value];
      if (atom.kind === 'in') values = atom.values;
      for (const value of values) {
        if (typeof value !== 'string') continue;
        const address = canonicalAddress(value);
        if (address === undefined || address === value) continue;
        this.spellings.set(address, (this.spellings.get(address) ?? new Set()).add(value));
      }
    }
    const portColumns = new Set(CONNECTION_ENDS.map((end) => end.port));
    // The evaluator never finds a number equal to a string, so ports take the literals' type.
    this.portsAsText = atoms.some(
      (atom) =>
        portColumns.has(atom.column) &&
        ((atom.kind === 'compare' && typeof atom.value === 'string') ||
          (atom.kind === 'in' && atom.values.some((value) => typeof value === 'string'))),
    );
  }

  /** Returns the address literals of the condition that are `address`, as written. */
  formsOf(address: string): string[] {
    const atoms = listAtoms(this.expr);
    const literals = CONNECTION_ENDS.flatMap((end) => literalsOf(atoms, end.address));
    const forms = literals.filter(
      (value): value is string => typeof value === 'string' && canonicalAddress(value) === address,
    );
    return [...new Set(forms)];
  }

  compares(column: string): boolean {
    return this.columns.has(column);
  }

  /**
   * Returns whether the condition keeps a connection whose `end` has `address`, with `port` on
   * the port column of `portEnd` (by default the same end). Every other address column contains
   * an unlisted address and every other port column a dynamic port. The address is tried as
   * written in the report and in each other form of it that the condition names, because a log
   * can record an IPv4 peer in its IPv4-mapped IPv6 form.
   */
  keeps(end: ConnectionEnd, address: string, port: string, portEnd = end): boolean {
    const forms = [address, ...(this.spellings.get(address) ?? [])];
    return forms.some((form) => {
      const row: Record<string, CellValue> = {};
      for (const other of CONNECTION_ENDS) {
        row[other.address] = UNLISTED_ADDRESS;
        row[other.port] = this.portValue(String(OTHER_PORTS[1]));
      }
      row[end.address] = form;
      row[portEnd.port] = this.portValue(port);
      return evaluateFilter(this.expr, row);
    });
  }

  private portValue(port: string): CellValue {
    return this.portsAsText ? port : Number(port);
  }
}
