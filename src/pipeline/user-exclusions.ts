/**
 * Exclusions written by users in a YAML file (`--exclusions FILE`), in the same form as the
 * built-in scenarios:
 *
 * ```yaml
 * exclusions:
 *   - id: corp-scanner
 *     title: Corporate vulnerability scanner
 *     description: Qualys scans every address in our ranges.
 *     tables: [CommonSecurityLog]        # optional: every table whose columns the filter names
 *     variants: [port-aware, address-only] # optional: every hunt variant
 *     filter: SourceIP in ("10.20.0.15", "10.20.0.16")
 * ```
 *
 * `filter` uses the filter language (Kusto operators, AND/OR/NOT) and says which hits to
 * remove. Each exclusion is checked against each table it applies to before any hunt is built:
 * a syntax error, an unknown column, a wrongly typed value or an always-true filter is an error
 * naming the file, the exclusion and the fault.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { ColumnType, HuntVariant } from '../compile/ir.js';
import { ConfigError, fileReadReason } from '../errors.js';
import { checkExclusion } from './filter-check/check.js';
import { parseFilter } from './filter-lang/parse.js';
import { DATA_SOURCES } from './data-sources.js';
import type { Scenario } from './scenarios.js';
import { getTableSchema } from './schemas.js';

const VARIANTS: readonly HuntVariant[] = ['port-aware', 'address-only', 'domain', 'url', 'hash'];

/** Columns every hit has besides the table's: the branch label and the indicator columns. */
const HIT_COLUMNS: ReadonlyArray<{ name: string; type: ColumnType }> = [
  { name: 'MatchedOn', type: 'string' },
  { name: 'IocAddress', type: 'string' },
  { name: 'IocPort', type: 'int' },
  { name: 'IocFeedPorts', type: 'string' },
  { name: 'IocDomain', type: 'string' },
  { name: 'IocUrl', type: 'string' },
  { name: 'IocHash', type: 'string' },
  { name: 'IocHashType', type: 'string' },
  { name: 'IocThreatType', type: 'string' },
  { name: 'IocConfidence', type: 'int' },
  { name: 'IocFirstSeen', type: 'datetime' },
  { name: 'IocFamily', type: 'string' },
];

function fail(file: string, where: string, message: string): never {
  throw new ConfigError('INVALID_EXCLUSION', `${where}: ${message}`, { source: { file } });
}

function stringList(
  value: unknown,
  file: string,
  where: string,
  field: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    fail(file, where, `"${field}" must be a list of names.`);
  }
  return value;
}

function tableColumns(table: string): Set<string> {
  return new Set(getTableSchema(table).columns.map((column) => column.name));
}

/** Tables whose columns (plus the hit columns) include every column the filter names. */
function tablesNaming(columns: string[]): string[] {
  const hitColumns = new Set(HIT_COLUMNS.map((column) => column.name));
  const tables = [...new Set(DATA_SOURCES.map((source) => source.table))];
  return tables.filter((table) => {
    const own = tableColumns(table);
    return columns.every((column) => own.has(column) || hitColumns.has(column));
  });
}

function columnsOf(expr: import('../compile/ir.js').FilterExpr, into: string[] = []): string[] {
  switch (expr.kind) {
    case 'const':
      return into;
    case 'and':
    case 'or':
      for (const term of expr.terms) columnsOf(term, into);
      return into;
    case 'not':
      return columnsOf(expr.term, into);
    default:
      into.push(expr.column);
      return into;
  }
}

/**
 * Parses and checks the exclusions of a YAML text; `file` names it in errors. A sound but
 * doubtful exclusion, such as one that is never true and so removes nothing, is kept, with a
 * line about it added to `warnings`.
 */
export function parseUserExclusions(
  text: string,
  file: string,
  warnings: string[] = [],
): Scenario[] {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      'INVALID_EXCLUSIONS_FILE',
      `Invalid YAML in ${file}: ${(error as Error).message}`,
      {
        source: { file },
        cause: error,
      },
    );
  }
  const entries = (document as { exclusions?: unknown } | null)?.exclusions;
  if (!Array.isArray(entries)) {
    throw new ConfigError(
      'INVALID_EXCLUSIONS_FILE',
      `${file} must hold a list under the key "exclusions".`,
      {
        source: { file },
      },
    );
  }
  const seen = new Set<string>();
  const scenarios: Scenario[] = [];
  // Every faulty entry is reported at once, so that one run lists all there is to fix.
  const faults: ConfigError[] = [];
  entries.forEach((entry: unknown, index) => {
    try {
      scenarios.push(parseEntry(entry, index, file, seen, warnings));
    } catch (error) {
      if (!(error instanceof ConfigError) || error.code !== 'INVALID_EXCLUSION') throw error;
      faults.push(error);
    }
  });
  const [first] = faults;
  if (first && faults.length === 1) throw first;
  if (faults.length > 1) {
    throw new ConfigError(
      'INVALID_EXCLUSION',
      `${faults.length} exclusions are invalid:\n${faults.map((fault) => `  ${fault.message}`).join('\n')}`,
      { source: { file } },
    );
  }
  return scenarios;
}

/** Parses and checks entry `index` of an exclusions file; `seen` contains the ids before it. */
function parseEntry(
  entry: unknown,
  index: number,
  file: string,
  seen: Set<string>,
  warnings: string[],
): Scenario {
  const where = `exclusion ${index + 1}`;
  if (typeof entry !== 'object' || entry === null)
    fail(file, where, 'expected a mapping with id, title and filter.');
  const fields = entry as Record<string, unknown>;
  const id =
    typeof fields.id === 'string' && /^[A-Za-z0-9_.-]+$/.test(fields.id) ? fields.id : undefined;
  if (!id) fail(file, where, 'missing or invalid "id": use letters, digits, ".", "_" and "-".');
  const named = `exclusion "${id}"`;
  if (seen.has(id)) fail(file, named, 'the id is used twice.');
  seen.add(id);
  if (typeof fields.filter !== 'string') fail(file, named, 'missing "filter".');

  const parsed = parseFilter(fields.filter);
  const syntax = parsed.issues.find((issue) => issue.severity === 'error');
  if (!parsed.expr || syntax) {
    fail(
      file,
      named,
      `invalid filter ${JSON.stringify(fields.filter)}: ${syntax?.message ?? 'syntax error'}`,
    );
  }
  const variants = stringList(fields.variants, file, named, 'variants') ?? [...VARIANTS];
  for (const variant of variants) {
    if (!VARIANTS.includes(variant as HuntVariant)) {
      fail(file, named, `unknown variant "${variant}": expected one of ${VARIANTS.join(', ')}.`);
    }
  }
  const tables =
    stringList(fields.tables, file, named, 'tables') ?? tablesNaming(columnsOf(parsed.expr));
  if (tables.length === 0)
    fail(file, named, 'no table has every column the filter names; set "tables".');

  for (const table of tables) {
    let schema;
    try {
      schema = getTableSchema(table);
    } catch (error) {
      fail(file, named, (error as Error).message);
    }
    const issues = checkExclusion(parsed.expr, schema, { extraColumns: HIT_COLUMNS });
    const errors = issues.filter((issue) => issue.severity === 'error');
    if (errors.length > 0)
      fail(file, named, `on ${table}: ${errors.map((issue) => issue.message).join(' ')}`);
    for (const issue of issues) {
      if (issue.severity !== 'warning') continue;
      const warning = `${file}: ${named}: on ${table}: ${issue.message}`;
      if (!warnings.includes(warning)) warnings.push(warning);
    }
  }
  return {
    id,
    title: typeof fields.title === 'string' ? fields.title : id,
    description: typeof fields.description === 'string' ? fields.description : '',
    filter: parsed.expr,
    tables,
    variants: variants as HuntVariant[],
    enabledByDefault: true,
  };
}

/** Reads and checks a user exclusions file, as {@link parseUserExclusions} does. */
export async function loadUserExclusions(
  file: string,
  warnings: string[] = [],
): Promise<Scenario[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'EXCLUSIONS_FILE_NOT_READABLE',
      `Cannot read exclusions file ${file}: ${fileReadReason(error)}.`,
      {
        source: { file },
        cause: error,
      },
    );
  }
  return parseUserExclusions(text, file, warnings);
}
