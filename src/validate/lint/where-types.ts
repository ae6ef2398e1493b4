/**
 * Finds `where` comparisons of a column with a literal of the wrong type, such as
 * `DestinationPort == "5220"` on an int column or `DestinationIP == 1` on a string column. The
 * Kusto parser (Kusto.Language 12.4.1) reports nothing for these, so the exclusion checker's
 * LITERAL_TYPE_MISMATCH rule is run on each top-level `and` operand of each `where` clause.
 */
import { checkExclusion } from '../../pipeline/filter-check/check.js';
import { parseFilter } from '../../pipeline/filter-lang/parse.js';
import type { TableSchema } from '../../pipeline/schemas.js';
import { CharKind, findWhereClauses, splitOrOfAnd, type ScannedKql } from './kql-scan.js';

export interface WhereTypeMismatch {
  /** Offset of the operand in the query. */
  start: number;
  /** The operand's text, on one line. */
  condition: string;
  message: string;
}

/**
 * Returns the type mismatches of the query's `where` operands against `schema`, the table the
 * query reads. A column that the query assigns itself (`extend Port = ...`, `project Port = ...`)
 * may have another type by then, so comparisons with it are not checked.
 */
export function findWhereTypeMismatches(
  scanned: ScannedKql,
  schema: TableSchema,
): WhereTypeMismatch[] {
  const assigned = assignedNames(scanned);
  const found: WhereTypeMismatch[] = [];
  for (const clause of findWhereClauses(scanned)) {
    const kinds = scanned.kinds.subarray(clause.start, clause.start + clause.text.length);
    // A type mismatch is one comparison's own, so each operand of each `or` branch is checked.
    for (const operand of splitOrOfAnd(clause.text, kinds).flat()) {
      const parsed = parseFilter(operand.text);
      if (!parsed.expr || parsed.issues.some((issue) => issue.severity === 'error')) continue;
      const condition = operand.text.replace(/\s+/g, ' ').trim();
      const seen = new Set<string>();
      for (const issue of checkExclusion(parsed.expr, schema)) {
        if (issue.code !== 'LITERAL_TYPE_MISMATCH' || seen.has(issue.message)) continue;
        const column = /^Column "([^"]+)"/.exec(issue.message)?.[1];
        if (column !== undefined && assigned.has(column)) continue;
        seen.add(issue.message);
        found.push({ start: clause.start + operand.start, condition, message: issue.message });
      }
    }
  }
  return found;
}

/** Returns the names the query's code assigns with `name =` (not `==` or `=~`). */
function assignedNames({ text, kinds }: ScannedKql): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/\b([A-Za-z_]\w*)\s*=(?![=~])/g)) {
    if (kinds[match.index] === CharKind.Code) names.add(match[1] ?? '');
  }
  return names;
}
