/**
 * Finds Filter/Exclusion lines that remove the hits of an ip:port indicator the report hunts, such
 * as `DestinationPort !in (5220, 3131)` under a hunt for 45.92.1.175:5220. Such a line keeps no
 * event of that indicator, so its hunt can never fire.
 *
 * Each top-level `and` operand of the condition to keep is read on its own. Only an operand that
 * compares nothing but the remote address and port columns is judged, because an operand on
 * another column may keep some of the indicator's events.
 */
import type { FilterExpr } from '../../compile/ir.js';
import type { HuntpackIssue } from '../../errors.js';
import { listAtoms } from '../../pipeline/filter-check/analyze.js';
import { evaluateFilter } from '../../pipeline/filter-check/evaluate.js';
import type { ListedIndicator } from './listed-indicators.js';

/** Columns, ASIM fields and ECS fields of the remote end's address in the network tables. */
const ADDRESS_COLUMN = /^(?:DestinationIP|RemoteIP|DstIpAddr|destination\.(?:ip|address))$/i;
/** Columns, ASIM fields and ECS fields of the remote end's port in the network tables. */
const PORT_COLUMN = /^(?:DestinationPort|RemotePort|DstPortNumber|destination\.port)$/i;

/** An ip:port indicator that a report lists. */
export interface ListedIpPort {
  address: string;
  port: number;
}

/** Returns the ip:port indicators among the listed ones. */
export function listedIpPorts(listed: readonly ListedIndicator[]): ListedIpPort[] {
  return listed.flatMap(({ indicator }) =>
    indicator.kind === 'ip-port' ? [{ address: indicator.address, port: indicator.port }] : [],
  );
}

/**
 * Returns the finding of an exclusion whose condition to keep `expr` removes every event of one
 * of `indicators`, or undefined when it keeps some of each.
 */
export function excludedIndicatorFinding(
  expr: FilterExpr,
  indicators: readonly ListedIpPort[],
): Pick<HuntpackIssue, 'code' | 'severity' | 'message'> | undefined {
  const removed = new Set<string>();
  for (const operand of topLevelAnd(expr)) {
    const atoms = listAtoms(operand);
    const judged =
      atoms.length > 0 &&
      atoms.every((atom) => ADDRESS_COLUMN.test(atom.column) || PORT_COLUMN.test(atom.column));
    if (!judged) continue;
    // The evaluator never finds a number equal to a string, so the port takes the literals' type.
    const asText = atoms.some(
      (atom) =>
        PORT_COLUMN.test(atom.column) &&
        ((atom.kind === 'compare' && typeof atom.value === 'string') ||
          (atom.kind === 'in' && atom.values.some((value) => typeof value === 'string'))),
    );
    for (const { address, port } of indicators) {
      const row: Record<string, string | number> = {};
      for (const atom of atoms) {
        if (ADDRESS_COLUMN.test(atom.column)) row[atom.column] = address;
        else row[atom.column] = asText ? String(port) : port;
      }
      if (!evaluateFilter(operand, row)) {
        removed.add(address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);
      }
    }
  }
  if (removed.size === 0) return undefined;
  const list = [...removed];
  const one = list.length === 1;
  return {
    code: 'EXCLUSION_REMOVES_INDICATOR',
    severity: 'warning',
    message:
      `The line keeps no event of ${one ? 'the indicator' : 'the indicators'} ${list.join(', ')}, ` +
      `which the report hunts, so ${one ? 'its hunt' : 'their hunts'} can never find one. An ` +
      'exclusion drops benign events, never the connections to the C2 itself.',
  };
}

function topLevelAnd(expr: FilterExpr): FilterExpr[] {
  return expr.kind === 'and' ? expr.terms : [expr];
}
