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
import { findRemovedIndicators, ipPortText } from './port-exclusion.js';

/** Columns, ASIM fields and ECS fields of the remote end's address in the network tables. */
const ADDRESS_COLUMN = /^(?:DestinationIP|RemoteIP|DstIpAddr|destination\.(?:ip|address))$/i;
/** Columns, ASIM fields and ECS fields of the remote end's port in the network tables. */
const PORT_COLUMN = /^(?:DestinationPort|RemotePort|DstPortNumber|destination\.port)$/i;

/**
 * Returns the finding of an exclusion whose condition to keep `expr` removes every event of one
 * of the listed ip:port indicators, or undefined when it keeps some of each. `ports` maps each
 * listed address to its ports, as `listedIpPorts` gives them.
 */
export function excludedIndicatorFinding(
  expr: FilterExpr,
  ports: ReadonlyMap<string, ReadonlySet<string>>,
): Pick<HuntpackIssue, 'code' | 'severity' | 'message'> | undefined {
  const removed = new Set<string>();
  for (const operand of topLevelAnd(expr)) {
    const atoms = listAtoms(operand);
    const judged =
      atoms.length > 0 &&
      atoms.every((atom) => ADDRESS_COLUMN.test(atom.column) || PORT_COLUMN.test(atom.column));
    if (!judged) continue;
    const isAddress = (column: string): boolean => ADDRESS_COLUMN.test(column);
    for (const indicator of findRemovedIndicators(operand, ports, isAddress)) {
      removed.add(ipPortText(indicator));
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
