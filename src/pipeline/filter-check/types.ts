/** Shared types of the filter checker. */
import type { ColumnType } from '../../compile/ir.js';
import type { HuntpackIssue } from '../../errors.js';
import type { TableSchema } from '../schemas.js';
import type { TermPath } from './analyze.js';

/** A problem in a filter, with the path of the term it concerns (`[]` for the whole filter). */
export interface FilterIssue extends HuntpackIssue {
  path: TermPath;
}

export interface FilterCheckOptions {
  /** Table the filter runs on; without it, column names and types are not checked. */
  schema?: TableSchema;
  /**
   * Columns a filter may name besides the table's, such as `MatchedOn` and the indicator
   * columns (`IocValue`, `IocPort`) of a hunt's hits. Default: none.
   */
  extraColumns?: ReadonlyArray<{ name: string; type: ColumnType }>;
  /** Maximum number of truth-value combinations to evaluate; default 200000. */
  maxCombinations?: number;
  /**
   * `model` (default): the filter has the two-valued semantics of `compile/ir.ts`, as huntpack's
   * own guarded KQL does. `kusto`: the filter is KQL that an analyst wrote, which a `where` runs
   * with Kusto's null rules (see `kusto-nulls.ts`), and an exclusion is run as `where not(...)`.
   */
  nullRules?: 'model' | 'kusto';
}
