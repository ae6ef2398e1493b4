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
 * naming the file, the line, the exclusion and the fault. Every fault of every entry is listed in
 * one error, so that one run shows all there is to fix.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { ColumnType, FilterExpr, HuntVariant } from '../compile/ir.js';
import { ConfigError, fileReadReason } from '../errors.js';
import { checkExclusion } from './filter-check/check.js';
import { mapFieldToColumns, suggestColumn } from './filter-check/field-map.js';
import { parseFilter } from './filter-lang/parse.js';
import { comparableColumns, DATA_SOURCES } from './data-sources.js';
import { branchReadsIndicatorFrom, matchBranches } from './match-branches.js';
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

/** One fault of an entry, at the 1-based line of the YAML node it concerns. */
interface EntryFault {
  line: number | undefined;
  message: string;
}

/** An entry's YAML node, which finds the line of each field for fault messages. */
class EntrySource {
  constructor(
    private readonly node: YamlNode | undefined,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Returns the line of `field`'s value, or of the entry when the field is absent. */
  lineOf(field?: string): number | undefined {
    const fieldNode = field && isMap(this.node) ? this.node.get(field, true) : undefined;
    const node = (fieldNode as YamlNode | undefined) ?? this.node;
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.lineCounter.linePos(offset).line;
  }
}

/** Returns every table a user exclusion can apply to: the tables the data sources query. */
function exclusionTables(): string[] {
  return [...new Set(DATA_SOURCES.map((source) => source.table))];
}

function tableColumns(table: string): Set<string> {
  return new Set(getTableSchema(table).columns.map((column) => column.name));
}

const HIT_COLUMN_NAMES = new Set(HIT_COLUMNS.map((column) => column.name));

/** Tables whose columns (plus the hit columns) include every column the filter names. */
function tablesNaming(columns: string[]): string[] {
  return exclusionTables().filter((table) => {
    const own = tableColumns(table);
    return columns.every((column) => own.has(column) || HIT_COLUMN_NAMES.has(column));
  });
}

/** Returns the tables, of those exclusions apply to, that have `column`. */
function tablesWithColumn(column: string): string[] {
  return exclusionTables().filter((table) => tableColumns(table).has(column));
}

/** Returns real column names close to `column`: other spellings and ECS or Sigma mappings. */
function closeColumnNames(column: string): string[] {
  const names = new Set<string>();
  for (const table of exclusionTables()) {
    const near = suggestColumn(column, getTableSchema(table));
    if (near) names.add(near);
    for (const mapped of mapFieldToColumns(column, table)) names.add(mapped);
  }
  return [...names].sort();
}

/** Returns advice on where a column that `tables` lacks is found, or that no table has it. */
function columnAdvice(column: string, tables: string[]): string {
  const elsewhere = tablesWithColumn(column).filter((table) => !tables.includes(table));
  if (elsewhere.length > 0) {
    return `Column ${JSON.stringify(column)} is in ${elsewhere.join(', ')}. List that table in "tables", or write one exclusion per table.`;
  }
  const close = closeColumnNames(column);
  return (
    `Column ${JSON.stringify(column)} exists in none of the tables exclusions apply to ` +
    `(${exclusionTables().join(', ')}). ` +
    (close.length > 0
      ? `Close column names: ${close.join(', ')}.`
      : 'No column has a close name; check the column names in the table schemas.')
  );
}

/** Returns why no table has every column the filter names, column by column. */
function noTableAdvice(columns: string[]): string {
  const tableColumnsOnly = [...new Set(columns)].filter((column) => !HIT_COLUMN_NAMES.has(column));
  const missing = tableColumnsOnly.filter((column) => tablesWithColumn(column).length === 0);
  if (missing.length > 0) return missing.map((column) => columnAdvice(column, [])).join(' ');
  const places = tableColumnsOnly.map(
    (column) => `${JSON.stringify(column)} is in ${tablesWithColumn(column).join(', ')}`,
  );
  return `No table has every column the filter names: ${places.join('; ')}. Write one exclusion per table.`;
}

function columnsOf(expr: FilterExpr, into: string[] = []): string[] {
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

/** Formats a fault as `file:line: message`, the form compilers use. */
function formatFault(file: string, fault: EntryFault): string {
  return `${file}${fault.line === undefined ? '' : `:${fault.line}`}: ${fault.message}`;
}

/** Throws one error for all YAML syntax errors of the file, each with its line and column. */
function throwYamlErrors(file: string, errors: ReturnType<typeof parseDocument>['errors']): never {
  const lines = errors.map((error) => {
    const position = error.linePos?.[0];
    // The message of the yaml package ends with " at line L, column C:" and a code excerpt.
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const where = position ? `${file}:${position.line}:${position.col}` : file;
    return `${where}: ${reason}.`;
  });
  const [first] = errors;
  const position = first?.linePos?.[0];
  const message =
    lines.length === 1
      ? `Invalid YAML: ${lines[0]!.slice(lines[0]!.indexOf(': ') + 2)}`
      : `${lines.length} YAML syntax errors:\n${lines.map((line) => `  ${line}`).join('\n')}`;
  throw new ConfigError('INVALID_EXCLUSIONS_FILE', message, {
    source:
      lines.length === 1 && position
        ? { file, line: position.line, column: position.col }
        : { file },
    cause: first,
  });
}

/**
 * Parses and checks the exclusions of a YAML text; `file` names it in errors. A sound but
 * doubtful exclusion, such as one that is never true and so removes nothing, is kept, with a
 * line about it added to `warnings`.
 *
 * @throws ConfigError listing every YAML syntax error, or else every fault of every entry, each
 *   with its line.
 */
export function parseUserExclusions(
  text: string,
  file: string,
  warnings: string[] = [],
): Scenario[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) throwYamlErrors(file, document.errors);
  const entries = (document.toJS() as { exclusions?: unknown } | null)?.exclusions;
  if (!Array.isArray(entries)) {
    throw new ConfigError(
      'INVALID_EXCLUSIONS_FILE',
      `${file} must hold a list under the key "exclusions".`,
      {
        source: { file },
      },
    );
  }
  const entryNodes = document.get('exclusions', true);
  const seen = new Set<string>();
  const scenarios: Scenario[] = [];
  const faults: EntryFault[] = [];
  entries.forEach((entry: unknown, index) => {
    const node = isSeq(entryNodes) ? (entryNodes.items[index] as YamlNode) : undefined;
    const source = new EntrySource(node, lineCounter);
    const scenario = parseEntry(entry, index, source, { file, seen, warnings, faults });
    if (scenario) scenarios.push(scenario);
  });
  const [first] = faults;
  if (first && faults.length === 1) {
    throw new ConfigError('INVALID_EXCLUSION', first.message, {
      source: { file, line: first.line },
    });
  }
  if (faults.length > 1) {
    const lines = faults.map((fault) => `  ${formatFault(file, fault)}`);
    throw new ConfigError(
      'INVALID_EXCLUSION',
      `${faults.length} faults in the exclusions:\n${lines.join('\n')}`,
      { source: { file } },
    );
  }
  return scenarios;
}

interface EntryContext {
  file: string;
  /** Ids of the entries before this one. */
  seen: Set<string>;
  warnings: string[];
  /** Faults found so far; this entry's faults are added. */
  faults: EntryFault[];
}

/**
 * Parses and checks entry `index` of an exclusions file. Returns the scenario, or undefined
 * after adding every fault of the entry to `context.faults`.
 */
function parseEntry(
  entry: unknown,
  index: number,
  source: EntrySource,
  context: EntryContext,
): Scenario | undefined {
  const { file, seen, warnings } = context;
  const faultCount = context.faults.length;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    context.faults.push({
      line: source.lineOf(),
      message: `exclusion ${index + 1}: expected a mapping with id, title and filter.`,
    });
    return undefined;
  }
  const fields = entry as Record<string, unknown>;
  const id =
    typeof fields.id === 'string' && /^[A-Za-z0-9_.-]+$/.test(fields.id) ? fields.id : undefined;
  const named = id ? `exclusion "${id}"` : `exclusion ${index + 1}`;
  const fault = (field: string | undefined, message: string): void => {
    context.faults.push({ line: source.lineOf(field), message: `${named}: ${message}` });
  };
  if (!id) fault('id', 'missing or invalid "id": use letters, digits, ".", "_" and "-".');
  else if (seen.has(id)) fault('id', 'the id is used twice.');
  else seen.add(id);

  const variants = stringList(fields.variants, 'variants', fault) ?? [...VARIANTS];
  for (const variant of variants) {
    if (!VARIANTS.includes(variant as HuntVariant)) {
      fault('variants', `unknown variant "${variant}": expected one of ${VARIANTS.join(', ')}.`);
    }
  }
  const givenTables = stringList(fields.tables, 'tables', fault);

  if (typeof fields.filter !== 'string') {
    fault(undefined, 'missing "filter".');
    return undefined;
  }
  const parsed = parseFilter(fields.filter);
  const syntax = parsed.issues.find((issue) => issue.severity === 'error');
  if (!parsed.expr || syntax) {
    const at = syntax ? ` at column ${syntax.column}` : '';
    fault(
      'filter',
      `invalid filter ${JSON.stringify(fields.filter)}${at}: ${syntax?.message ?? 'syntax error'}.`,
    );
    return undefined;
  }
  const columns = columnsOf(parsed.expr);
  const tables = givenTables ?? tablesNaming(columns);
  if (tables.length === 0) fault('filter', noTableAdvice(columns));

  for (const table of tables) {
    let schema;
    try {
      schema = getTableSchema(table);
    } catch (error) {
      fault('tables', (error as Error).message);
      continue;
    }
    const issues = checkExclusion(parsed.expr, schema, { extraColumns: HIT_COLUMNS });
    const errors = issues.filter((issue) => issue.severity === 'error');
    if (errors.length > 0) {
      const own = tableColumns(table);
      const missing = [...new Set(columns)].filter(
        (column) => !own.has(column) && !HIT_COLUMN_NAMES.has(column),
      );
      const advice = missing.map((column) => columnAdvice(column, tables));
      const messages = [...errors.map((issue) => issue.message), ...advice];
      fault('filter', `on ${table}: ${messages.join(' ')}`);
    }
    const messages = issues
      .filter((issue) => issue.severity === 'warning')
      .map((issue) => issue.message);
    if (errors.length === 0) messages.push(...indicatorColumnNotes(table, parsed.expr, columns));
    for (const message of messages) {
      const warning = `${formatFault(file, { line: source.lineOf('filter'), message: named })}: on ${table}: ${message}`;
      if (!warnings.includes(warning)) warnings.push(warning);
    }
  }
  if (context.faults.length > faultCount || !id) return undefined;
  return {
    id,
    title: typeof fields.title === 'string' ? fields.title : id,
    description: typeof fields.description === 'string' ? fields.description : '',
    filter: parsed.expr,
    tables,
    variants: variants as HuntVariant[],
    enabledByDefault: true,
    source: { file, line: source.lineOf('filter') },
  };
}

/**
 * Returns a note for each column that contains the indicator itself on some hits and that the filter
 * tests in the negative, such as `not(ipv4_is_in_any_range(SourceIP, ...private ranges))` on
 * CommonSecurityLog. On hits matched on the source side, SourceIP is the C2 address, so the
 * filter is true there and removes every one of them. A positive test (`SourceIP in (...)`) is true
 * there only for the values it names, and a filter that tests MatchedOn already separates the hits.
 */
function indicatorColumnNotes(
  table: string,
  filter: FilterExpr,
  columns: readonly string[],
): string[] {
  if (columns.includes('MatchedOn')) return [];
  const compared = comparableColumns(table);
  return [...new Set(negatedColumns(filter))]
    .filter((column) => compared.has(column))
    .map((column) => {
      const labels = matchedOnLabels(table, column);
      const quoted = labels.map((label) => JSON.stringify(label));
      const clause =
        quoted.length === 1 ? `MatchedOn != ${quoted[0]}` : `MatchedOn !in (${quoted.join(', ')})`;
      const which = quoted.length === 1 ? quoted[0] : `one of ${quoted.join(', ')}`;
      const sides = endpointSides(table);
      // On Defender's tables every address hit is on the remote side, so the clause that spares
      // the indicator's own hits also turns the exclusion off for every address hit.
      const allSides =
        sides.length > 0 && sides.every((side) => labels.includes(side))
          ? ` Every address hit on ${table} has MatchedOn ${sides.map((side) => JSON.stringify(side)).join(' or ')}, so with that clause the exclusion removes no address hit.`
          : '';
      return (
        `${column} contains the indicator itself on hits with MatchedOn ${which}, and the filter ` +
        `tests it in the negative, so it may remove every such hit. To leave them alone, ` +
        `add: and ${clause}.${allSides}`
      );
    });
}

/** Returns the columns that the filter tests under an odd number of negations (`not`, `!=`). */
function negatedColumns(expr: FilterExpr, negated = false, into: string[] = []): string[] {
  switch (expr.kind) {
    case 'const':
      return into;
    case 'and':
    case 'or':
      for (const term of expr.terms) negatedColumns(term, negated, into);
      return into;
    case 'not':
      return negatedColumns(expr.term, !negated, into);
    case 'compare':
      if (negated !== (expr.op === '!=')) into.push(expr.column);
      return into;
    default:
      if (negated) into.push(expr.column);
      return into;
  }
}

/**
 * Returns the MatchedOn labels of the hits on which `column` of `table` contains the indicator or
 * its host: the labels of every hunt branch that reads it (see `branchReadsIndicatorFrom`).
 * DestinationHostName, for example, gives CommonSecurityLog's address hunts their fallback
 * address, its domain hunts their host and its URL hunts the host of RequestURL.
 */
function matchedOnLabels(table: string, column: string): string[] {
  const labels = new Set<string>();
  for (const source of DATA_SOURCES) {
    if (source.table !== table) continue;
    for (const variant of VARIANTS) {
      for (const branch of matchBranches(source, variant)) {
        if (!branchReadsIndicatorFrom(branch, column)) continue;
        labels.add(branch.label);
        // A hit with the array label met the indicator in the array column alone.
        const fromArray = branch.keys.some((key) => key.arrayColumn === column);
        if (fromArray && branch.arrayLabel !== undefined) labels.add(branch.arrayLabel);
      }
    }
  }
  return labels.size > 0 ? [...labels] : [column];
}

/** Returns the MatchedOn labels of every address hit on `table`, one per side it is matched on. */
function endpointSides(table: string): string[] {
  const sides = new Set<string>();
  for (const source of DATA_SOURCES) {
    if (source.table !== table) continue;
    for (const endpoint of source.endpoints) sides.add(endpoint.side);
  }
  return [...sides];
}

function stringList(
  value: unknown,
  field: string,
  fault: (field: string, message: string) => void,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    fault(field, `"${field}" must be a list of names.`);
    return undefined;
  }
  return value;
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
      { cause: error },
    );
  }
  return parseUserExclusions(text, file, warnings);
}
