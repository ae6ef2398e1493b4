/**
 * Finds `where` conditions that remove the port of an ip:port indicator the query hunts, such as
 * `RemotePort != 4444` in a query for 45.9.148.10 when the report lists 45.9.148.10:4444. Such a
 * condition drops exactly the connections the hunt is for.
 *
 * Each top-level `and` operand of a `where` clause is read with the filter language parser, as
 * the where-logic check does. Only an operand that compares the remote port alone and negates a
 * comparison (`!=`, `<>`, `!in`, `!between`, `not(...)`) is checked. An operand that also
 * compares another column may keep some rows on that port, so it is not checked.
 */
import type { FilterExpr } from '../../compile/ir.js';
import type { HuntpackIssue } from '../../errors.js';
import { listAtoms } from '../../pipeline/filter-check/analyze.js';
import { evaluateFilter } from '../../pipeline/filter-check/evaluate.js';
import { parseFilter } from '../../pipeline/filter-lang/parse.js';
import type { KqlBlock } from './kql-blocks.js';
import { findWhereClauses, lineAndColumn, oneLine, scanKql, splitTopLevelAnd } from './kql-scan.js';
import { CharKind, type ScannedKql } from './kql-scan.js';
import { LET_DYNAMIC_LIST, normalizeKql, readLetLists } from './port-pairing.js';

/**
 * Columns of the remote end's port in the network tables the reports hunt in, where the port of
 * an ip:port indicator appears on a connection to it.
 */
const REMOTE_PORT_COLUMN = /^(?:DestinationPort|RemotePort)$/;

/**
 * Checks one query against the ip:port indicators it names. `ports` maps each named address to
 * the ports the report lists for it. Each indicator that a finding reports is added to `removed`.
 * `anyPort` contains the addresses the query also keeps on other ports. Such an address gets no
 * PORT_IGNORED of its own, so its finding here advises comparing the listed port.
 */
export function lintPortExclusions(
  block: KqlBlock,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
  file: string,
  removed: RemovedIndicator[] = [],
  anyPort: ReadonlySet<string> = new Set(),
): HuntpackIssue[] {
  const issues: HuntpackIssue[] = [];
  const scanned = scanKql(block.text);
  for (const clause of findWhereClauses(scanned)) {
    const kinds = scanned.kinds.subarray(clause.start, clause.start + clause.text.length);
    const lists = readLetLists(scanned, clause.start);
    for (const operand of splitTopLevelAnd(clause.text, kinds)) {
      const operandKinds = kinds.subarray(operand.start, operand.start + operand.text.length);
      const expr = readPortExclusion(operand.text, operandKinds, lists);
      if (!expr) continue;

      const found = findRemovedIndicators(expr, ports);
      if (found.length === 0) continue;
      for (const indicator of found) removed.push(indicator);
      const position = lineAndColumn(scanned.text, clause.start + operand.start, block.startLine);
      const named = findNamedLists(scanned, block, operand.text, operandKinds, lists, clause.start);
      issues.push({
        code: 'PORT_EXCLUDED',
        severity: 'warning',
        message:
          describeExclusion(oneLine(operand.text), expr, found, named) +
          otherPortsAdvice(expr, found, anyPort),
        source: { file, line: position.line, column: position.column },
      });
    }
  }
  return issues;
}

/**
 * Parses an operand that negates a comparison of the remote port alone, or returns undefined
 * for any other operand. Kusto's `<>`, `between` and the `let` lists in `lists` are rewritten
 * as `normalizeKql` does.
 */
function readPortExclusion(
  text: string,
  kinds: Uint8Array,
  lists: ReadonlyMap<string, string>,
): FilterExpr | undefined {
  const normalized = normalizeKql(text, kinds, lists);
  const parsed = parseFilter(normalized);
  if (!parsed.expr || parsed.issues.some((issue) => issue.severity === 'error')) return undefined;
  const atoms = listAtoms(parsed.expr);
  if (atoms.length === 0 || !atoms.every((atom) => REMOTE_PORT_COLUMN.test(atom.column))) {
    return undefined;
  }
  return isNegation(parsed.expr) ? parsed.expr : undefined;
}

function isNegation(expr: FilterExpr): boolean {
  if (expr.kind === 'not') return true;
  if (expr.kind === 'compare') return expr.op === '!=';
  if (expr.kind === 'and' || expr.kind === 'or') return expr.terms.some(isNegation);
  return false;
}

/** An ip:port indicator that a condition removes. */
export interface RemovedIndicator {
  address: string;
  port: string;
}

/** Writes an ip:port indicator as a report does: `1.2.3.4:80`, or `[2001:db8::1]:80`. */
export function ipPortText({ address, port }: RemovedIndicator): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * Returns the indicators that the condition rejects, with each address column the condition
 * compares (by `isAddressColumn`) set to the indicator's address and every other column to
 * its port. A port compared as text, as in `RemotePort != "4444"`, counts too.
 */
export function findRemovedIndicators(
  expr: FilterExpr,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
  isAddressColumn: (column: string) => boolean = () => false,
): RemovedIndicator[] {
  const atoms = listAtoms(expr);
  const columns = [...new Set(atoms.map((atom) => atom.column))];
  // The evaluator never finds a number equal to a string, so the port takes the literals' type.
  const comparedAsText = atoms.some(
    (atom) =>
      !isAddressColumn(atom.column) &&
      ((atom.kind === 'compare' && typeof atom.value === 'string') ||
        (atom.kind === 'in' && atom.values.some((value) => typeof value === 'string'))),
  );
  const removed: RemovedIndicator[] = [];
  for (const [address, addressPorts] of ports) {
    for (const port of addressPorts) {
      const value = comparedAsText ? port : Number(port);
      const row = Object.fromEntries(
        columns.map((column) => [column, isAddressColumn(column) ? address : value]),
      );
      if (!evaluateFilter(expr, row)) removed.push({ address, port });
    }
  }
  return removed;
}

/** A list that a `let NAME = dynamic([...])` statement sets and a where condition names. */
interface NamedList {
  name: string;
  /** 1-based line of the `let` statement in the report. */
  line: number;
  /** The items as written, such as `4444` or `"4444"`. */
  items: string[];
}

/** A list named in `in (NAME)` or `!in (NAME)`, with the name in group 1. */
const NAMED_LIST_OPERAND = /(?<![\w.])!?in~?\s*\(\s*([A-Za-z_]\w*)\s*\)/g;

/**
 * Returns the `let` lists that an operand names, each with the line of the last statement
 * before `end` that sets it, which is the one `readLetLists` reads.
 */
function findNamedLists(
  scanned: ScannedKql,
  block: KqlBlock,
  text: string,
  kinds: Uint8Array,
  lists: ReadonlyMap<string, string>,
  end: number,
): NamedList[] {
  const named: NamedList[] = [];
  for (const match of text.matchAll(NAMED_LIST_OPERAND)) {
    const name = match[1] ?? '';
    const items = lists.get(name);
    const known = named.some((list) => list.name === name);
    if (kinds[match.index] !== CharKind.Code || items === undefined || known) continue;
    let start: number | undefined;
    for (const statement of scanned.text.matchAll(LET_DYNAMIC_LIST)) {
      if (statement.index >= end) break;
      if (statement[1] === name && scanned.kinds[statement.index] === CharKind.Code) {
        start = statement.index;
      }
    }
    if (start === undefined) continue;
    const { line } = lineAndColumn(scanned.text, start, block.startLine);
    named.push({ name, line, items: items.split(', ') });
  }
  return named;
}

function describeExclusion(
  condition: string,
  expr: FilterExpr,
  removed: RemovedIndicator[],
  named: NamedList[],
): string {
  const removedPorts = [...new Set(removed.map((indicator) => indicator.port))];
  const portWords =
    removedPorts.length === 1 ? `port ${removedPorts[0]}` : `ports ${joinWords(removedPorts)}`;
  const addresses = [...new Set(removed.map((indicator) => indicator.address))];
  const indicators = removed.map(ipPortText);
  const listed = named.filter((list) => list.items.some((item) => isRemoved(item, removedPorts)));
  const listSentences = listed.map((list) => {
    const ports = list.items.filter((item) => isRemoved(item, removedPorts)).map(itemValue);
    const words = ports.length === 1 ? `Port ${ports[0]} is` : `Ports ${joinWords(ports)} are`;
    return `${words} in ${list.name}, the list that the let statement on line ${list.line} sets. `;
  });
  return (
    `The where condition ${condition} removes ${portWords}, the ` +
    `${removedPorts.length === 1 ? 'port' : 'ports'} that the report lists for ` +
    `${joinWords(addresses)} (${indicators.join(', ')}), so the query drops the connections ` +
    `it hunts for. ${listSentences.join('')}${suggestFix(expr, removedPorts, listed)}`
  );
}

/**
 * Returns the advice for the removed indicators whose address the query keeps on other ports
 * too, with a leading space, or '' when there is none. Deleting the exclusion alone would leave
 * such an address matched on every port.
 */
function otherPortsAdvice(
  expr: FilterExpr,
  removed: RemovedIndicator[],
  anyPort: ReadonlySet<string>,
): string {
  const open = removed.filter((indicator) => anyPort.has(indicator.address));
  if (open.length === 0) return '';
  const column = listAtoms(expr)[0]?.column ?? 'RemotePort';
  const addresses = [...new Set(open.map((indicator) => indicator.address))];
  const ports = [...new Set(open.map((indicator) => indicator.port))];
  const comparison =
    ports.length === 1 ? `${column} == ${ports[0]}` : `${column} in (${ports.join(', ')})`;
  return (
    ` The query also matches ${joinWords(addresses)} on every other port, so compare ` +
    `${comparison} to hunt ${open.map(ipPortText).join(', ')}, or label the query address-only.`
  );
}

/** Returns the value of a list item as written, without the quotes of a string. */
function itemValue(item: string): string {
  return item.replace(/^(["'])(.*)\1$/, '$2');
}

function isRemoved(item: string, removedPorts: string[]): boolean {
  return removedPorts.includes(itemValue(item));
}

/**
 * Returns the suggested fix. For a `!in` list that also names other ports, it is the list
 * without the indicator ports, written as the `let` statement when `listed` has the one let list
 * that contains them. Otherwise it is advice to delete the condition.
 */
function suggestFix(expr: FilterExpr, removedPorts: string[], listed: NamedList[]): string {
  const deleteHint =
    'Delete the condition, or exclude only ports that no listed indicator uses. To hunt an ' +
    'address on its other ports, write a separate query labelled address-only.';
  if (expr.kind !== 'not' || expr.term.kind !== 'in') return deleteHint;
  const pronoun = removedPorts.length === 1 ? 'it' : 'them';
  const [letList] = listed;
  if (letList && listed.length === 1) {
    const keptItems = letList.items.filter((item) => !isRemoved(item, removedPorts));
    if (keptItems.length === 0) return deleteHint;
    return `Remove ${pronoun} from that list: let ${letList.name} = dynamic([${keptItems.join(', ')}]);`;
  }
  const remaining = expr.term.values.filter((value) => !removedPorts.includes(String(value)));
  if (remaining.length === 0) return deleteHint;
  const list = remaining.map((value) =>
    typeof value === 'string' ? JSON.stringify(value) : value,
  );
  return `Remove ${pronoun} from the list: ${expr.term.column} !in (${list.join(', ')}).`;
}

/** Joins words as a list in a sentence: `a`, `a and b`, `a, b and c`. */
export function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1) ?? ''}`;
}
