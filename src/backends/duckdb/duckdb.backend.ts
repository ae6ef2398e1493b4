/**
 * Compiles backend-neutral hunts into DuckDB SQL for the local hunt.
 *
 * Hunts that differ only in their indicator rows and constants (one family's hunt and another's
 * over the same table and variant) share one plan: their indicator rows go into one table with a
 * `__ioc` row number, so each batch of events costs one statement per plan, not per hunt.
 *
 * Tables of a plan:
 * - the event table, `events_<Table>`: `__row` (index in the batch), the event columns the plan
 *   reads, and `<column>__ip` address keys computed by the loader (see `ip-key.ts`), or
 *   `<column>__ip_list` for an address list column;
 * - the indicator table `iocs_<n>`: `__ioc`, the indicator columns, the constants, address keys,
 *   and one key column `k<branch>_<key>` per match key, computed once in SQL when loaded.
 *
 * The statement returns `__row`, `__ioc`, `__branch` and `__array_only` of every hit. The last
 * is true when the hit's `MatchedOn` is the branch's `arrayLabel`. The hits are the events of the
 * lookback window that pass `where`, joined per branch on equal keys (a host is expanded into its
 * label-aligned suffixes, as in the KQL backend), minus the hits an exclusion matches. Feed
 * values reach the statement only as rows loaded through the appender; filter literals go
 * through `sqlString`, so no value can change the statement's structure.
 */
import type { ColumnType, Hunt, IocColumn, MatchBranch } from '../../compile/ir.js';
import {
  assertBranchShape,
  assertKeyShape,
  FALLBACK_PORT_PATTERN,
  HOST_WITH_PORT_PATTERN,
  keyEventColumns,
} from '../../compile/ir.js';
import { eventColumnTypes, hitColumnTypes, valueKind } from '../../compile/hit-columns.js';
import { lookbackStart } from '../../compile/evaluate.js';
import { compileDuckDbFilter, filterColumns, type SqlColumnResolver } from './duckdb.filter.js';
import { sqlIdentifier, sqlNumber, sqlString } from './duckdb.escape.js';
import { addressHostSql, keySql } from './duckdb.keys.js';

/** One statement's worth of hunts and the tables it reads. */
export interface DuckDbHuntPlan {
  hunts: Hunt[];
  /** The source table of every hunt in the plan. */
  table: string;
  eventTable: string;
  iocTable: string;
  /** Event columns the statement reads, with their Kusto types. */
  eventColumns: Map<string, ColumnType>;
  /** Event columns that the loader also stores as `<column>__ip` address keys. */
  eventAddressColumns: Set<string>;
  /**
   * Fallback columns of `ip` keys, which the loader also stores as `<column>__fallback_ip`
   * address keys of the address that `fallbackAddress` reads.
   */
  eventFallbackColumns: Set<string>;
  /** Dynamic array columns that the loader also stores as `<column>__json` JSON text. */
  eventArrayColumns: Set<string>;
  /**
   * Address list columns of `ip` keys, which the loader also stores as `<column>__ip_list`: the
   * distinct address keys of the list's tokens as decimal text, joined with commas.
   */
  eventAddressListColumns: Set<string>;
  /** Indicator columns followed by the constants (strings). */
  iocColumns: IocColumn[];
  /** Indicator columns that the loader also stores as `<column>__ip` address keys. */
  iocAddressColumns: Set<string>;
  /** Creates `iocTable` with its key columns from the loaded `<iocTable>_raw`. */
  keyedIocSql: string;
  /** Selects `__row`, `__ioc`, `__branch` and `__array_only` of every hit in the event table. */
  hitsSql: string;
}

export interface DuckDbPlanOptions {
  /** Counts lookback windows back from this time; without it no time limit applies. */
  now?: Date;
  /** Keeps events after `now`, as Kusto's `> ago(lookback)` does; see `inWindow` in evaluate.ts. */
  openEnded?: boolean;
}

/** Name of the address-key column the loader adds for a column. */
export function addressColumn(column: string): string {
  return `${column}__ip`;
}

/** Name of the address-key column the loader adds for a fallback column of an `ip` key. */
export function fallbackAddressColumn(column: string): string {
  return `${column}__fallback_ip`;
}

/** Name of the address-key list column the loader adds for an address list column. */
export function addressListColumn(column: string): string {
  return `${column}__ip_list`;
}

/** Name of the JSON text column the loader adds for a dynamic array column. */
export function arrayTextColumn(column: string): string {
  return `${column}__json`;
}

/** Name of the event table of a source table. */
export function eventTableName(table: string): string {
  return `events_${table}`;
}

/** Returns the parts of a hunt that shape its SQL. Hunts with equal parts share a plan. */
function shapeKey(hunt: Hunt, withLookback: boolean): string {
  return JSON.stringify([
    hunt.source.table,
    hunt.source.platform,
    hunt.source.timeColumn,
    withLookback ? hunt.lookback : null,
    hunt.iocs.columns,
    Object.keys(hunt.constants),
    hunt.match,
    hunt.where ?? null,
    hunt.exclusions.map((exclusion) => exclusion.filter),
  ]);
}

/** Groups hunts into plans and compiles each plan's SQL. */
export function planDuckDbHunts(hunts: Hunt[], options: DuckDbPlanOptions = {}): DuckDbHuntPlan[] {
  const groups = new Map<string, Hunt[]>();
  for (const hunt of hunts) {
    const key = shapeKey(hunt, options.now !== undefined);
    const group = groups.get(key);
    if (group) group.push(hunt);
    else groups.set(key, [hunt]);
  }
  return [...groups.values()].map((group, index) => planGroup(group, index + 1, options));
}

function planGroup(hunts: Hunt[], index: number, options: DuckDbPlanOptions): DuckDbHuntPlan {
  const hunt = hunts[0]!;
  const eventTypes = eventColumnTypes(hunt);
  const iocNames = new Set(hunt.iocs.columns.map((column) => column.name));
  const constants = Object.keys(hunt.constants);

  const eventColumns = new Map<string, ColumnType>();
  const eventAddressColumns = new Set<string>();
  const eventFallbackColumns = new Set<string>();
  const eventArrayColumns = new Set<string>();
  const eventAddressListColumns = new Set<string>();
  const iocAddressColumns = new Set<string>();
  const useEvent = (name: string): void => {
    eventColumns.set(name, eventTypes.get(name) ?? 'string');
  };

  if (options.now) useEvent(hunt.source.timeColumn);
  for (const branch of hunt.match) {
    for (const key of branch.keys) {
      assertKeyShape(key);
      keyEventColumns(key).forEach(useEvent);
      if (key.arrayColumn !== undefined) eventArrayColumns.add(key.arrayColumn);
      if (key.addressList) {
        eventAddressListColumns.add(key.column);
        iocAddressColumns.add(key.iocColumn);
      } else if (key.normalization === 'ip') {
        eventAddressColumns.add(key.column);
        if (key.fallbackColumn !== undefined) eventFallbackColumns.add(key.fallbackColumn);
        iocAddressColumns.add(key.iocColumn);
      } else if (key.addressColumn !== undefined) {
        // A port key with a fallback tests whether the address column contains an address.
        eventAddressColumns.add(key.addressColumn);
      }
    }
  }
  const where = filterColumns(hunt.where);
  where.all.forEach((name) => eventTypes.has(name) && useEvent(name));
  where.addresses.forEach((name) => eventTypes.has(name) && eventAddressColumns.add(name));
  for (const exclusion of hunt.exclusions) {
    const used = filterColumns(exclusion.filter);
    for (const name of used.all) {
      if (!iocNames.has(name) && eventTypes.has(name)) useEvent(name);
    }
    for (const name of used.addresses) {
      if (iocNames.has(name)) iocAddressColumns.add(name);
      else if (eventTypes.has(name)) eventAddressColumns.add(name);
    }
  }

  const iocTable = `iocs_${index}`;
  const plan: DuckDbHuntPlan = {
    hunts,
    table: hunt.source.table,
    eventTable: eventTableName(hunt.source.table),
    iocTable,
    eventColumns,
    eventAddressColumns,
    eventFallbackColumns,
    eventArrayColumns,
    eventAddressListColumns,
    iocColumns: [
      ...hunt.iocs.columns,
      ...constants.map((name) => ({ name, type: 'string' as const })),
    ],
    iocAddressColumns,
    keyedIocSql: keyedIocSql(hunt, iocTable),
    hitsSql: '',
  };
  plan.hitsSql = hitsSql(hunt, plan, options);
  return plan;
}

function keyName(branchIndex: number, keyIndex: number): string {
  return `k${branchIndex + 1}_${keyIndex + 1}`;
}

function keyedIocSql(hunt: Hunt, iocTable: string): string {
  const keys: string[] = [];
  hunt.match.forEach((branch, branchIndex) =>
    branch.keys.forEach((key, keyIndex) => {
      const column = sqlIdentifier(
        key.normalization === 'ip' ? addressColumn(key.iocColumn) : key.iocColumn,
      );
      const expression =
        key.normalization === 'ip' ? column : keySql(key.normalization, column, 'ioc');
      keys.push(`${expression} AS ${sqlIdentifier(keyName(branchIndex, keyIndex))}`);
    }),
  );
  const keyed = `SELECT *, ${keys.join(', ')}\nFROM ${sqlIdentifier(`${iocTable}_raw`)}`;
  const names = hunt.match.flatMap((branch, branchIndex) => urlKeyNames(branch, branchIndex));
  return `CREATE OR REPLACE TABLE ${sqlIdentifier(iocTable)} AS\n${withAddressHosts(names, keyed)}`;
}

/** Returns the names of the `k<b>_<k>` columns of a branch's `url` keys. */
function urlKeyNames(branch: MatchBranch, branchIndex: number): string[] {
  return branch.keys.flatMap((key, keyIndex) =>
    key.normalization === 'url' ? [keyName(branchIndex, keyIndex)] : [],
  );
}

/**
 * Wraps a query that selects the key columns `names` of `url` keys so that each has its address
 * host written in one form. A wrapping layer, because the macro repeats its argument, and a
 * column costs less to repeat than the URL key expression.
 */
function withAddressHosts(names: string[], query: string): string {
  if (names.length === 0) return query;
  const replacements = names.map(
    (name) => `${addressHostSql(sqlIdentifier(name))} AS ${sqlIdentifier(name)}`,
  );
  return `SELECT * REPLACE (${replacements.join(', ')}) FROM (${query})`;
}

function resolver(hunt: Hunt, plan: DuckDbHuntPlan, scope: 'event' | 'hit'): SqlColumnResolver {
  const types = scope === 'event' ? eventColumnTypes(hunt) : hitColumnTypes(hunt);
  const iocNames = new Set(plan.iocColumns.map((column) => column.name));
  const qualify = (name: string): string => {
    if (scope === 'hit' && name === 'MatchedOn') return matchedOnSql(hunt);
    if (scope === 'hit' && iocNames.has(name)) return `i.${sqlIdentifier(name)}`;
    return `e.${sqlIdentifier(name)}`;
  };
  return {
    column(name) {
      const type = types.get(name);
      return type === undefined ? undefined : { sql: qualify(name), kind: valueKind(type) };
    },
    address(name) {
      const loaded =
        iocNames.has(name) && scope === 'hit' ? plan.iocAddressColumns : plan.eventAddressColumns;
      return loaded.has(name) ? qualify(addressColumn(name)) : undefined;
    },
  };
}

/** Returns the SQL of a hit's `MatchedOn`, looked up from its branch number and `__array_only`. */
function matchedOnSql(hunt: Hunt): string {
  const cases = hunt.match.map((branch, index) => {
    const label = sqlString(branch.label);
    const value =
      branch.arrayLabel === undefined
        ? label
        : `CASE WHEN h.__array_only THEN ${sqlString(branch.arrayLabel)} ELSE ${label} END`;
    return `WHEN ${index} THEN ${value}`;
  });
  return cases.length === 0 ? "''" : `(CASE h.__branch ${cases.join(' ')} END)`;
}

/**
 * Returns the SQL of the `:port` that a path's joined URL writes after its host, or '', by the
 * rule of `urlKeyInput`. A NULL port or host makes the condition NULL, which CASE reads as false.
 */
function portSql(host: string, port: string): string {
  const writes = [
    `${host} <> ''`,
    `${port} BETWEEN 1 AND 65535`,
    `${port} NOT IN (80, 443)`,
    `NOT regexp_matches(${host}, ${sqlString(HOST_WITH_PORT_PATTERN)})`,
  ];
  return `(CASE WHEN ${writes.join(' AND ')} THEN ':' || CAST(${port} AS VARCHAR) ELSE '' END)`;
}

/**
 * Returns the SQL of a port key with a fallback column. The key is the port that the fallback
 * column writes when the address column has no address key, because the `ip` key then reads the
 * fallback column too. Otherwise it is the port column. `regexp_extract` returns '' without a
 * match, and TRY_CAST makes that NULL.
 */
function fallbackPortSql(port: string, fallbackColumn: string, addressColumnName: string): string {
  const fallback = sqlIdentifier(fallbackColumn);
  const address = sqlIdentifier(addressColumn(addressColumnName));
  const hostPort = `TRY_CAST(regexp_extract(${fallback}, ${sqlString(FALLBACK_PORT_PATTERN)}, 1) AS INTEGER)`;
  return `(CASE WHEN ${address} IS NULL THEN coalesce(${hostPort}, ${port}) ELSE ${port} END)`;
}

/**
 * Selects the event-side keys of one branch: `__row` and `k<b>_<k>`, with hosts expanded. A key
 * with an array column reads one row per value: the key column's, then each element's. Its keys
 * are made distinct per event, so an indicator row that several values meet makes one hit, and
 * `__from_column` is true for a key that the key column's own value gives. An address list key
 * reads one row per address, which the loader stored distinct already.
 */
function branchKeysSql(branch: MatchBranch, branchIndex: number): string {
  const plain: string[] = ['__row'];
  const hosts: string[] = [];
  let source = 'ev';
  const arrayKeys = branch.keys.filter((key) => key.arrayColumn !== undefined);
  const listKeys = branch.keys.filter((key) => key.addressList);
  if (arrayKeys.length + listKeys.length > 1) {
    throw new Error(
      `Match branch ${branch.label} has more than one key with an array column or address list.`,
    );
  }
  branch.keys.forEach((key, keyIndex) => {
    const name = sqlIdentifier(keyName(branchIndex, keyIndex));
    let column = sqlIdentifier(key.normalization === 'ip' ? addressColumn(key.column) : key.column);
    if (key.arrayColumn !== undefined) {
      const text = sqlIdentifier(arrayTextColumn(key.arrayColumn));
      // json_extract_string gives the elements of a JSON array as text, and [] for other JSON.
      const elements = `coalesce(CASE WHEN json_valid(${text}) THEN json_extract_string(${text}, '$[*]') END, []::VARCHAR[])`;
      const value = sqlIdentifier(`v_${keyName(branchIndex, keyIndex)}`);
      // Two unnests of lists of one length in one SELECT pair their items by position, so
      // __item is each value's position in the list, 0 for the key column's own value.
      const values = `list_prepend(${column}, ${elements})`;
      source = `(SELECT *, unnest(${values}) AS ${value}, unnest(range(len(${values}))) AS __item FROM ev)`;
      plain.push('__item = 0 AS __from_column');
      column = value;
    }
    if (key.addressList) {
      const list = sqlIdentifier(addressListColumn(key.column));
      const addresses = `CASE WHEN coalesce(${list}, '') = '' THEN []::UHUGEINT[] ELSE list_transform(string_split(${list}, ','), lambda n: CAST(n AS UHUGEINT)) END`;
      source = `(SELECT *, unnest(${addresses}) AS ${name} FROM ev)`;
      plain.push(name);
    } else if (key.addressColumn !== undefined && key.fallbackColumn !== undefined) {
      const port = fallbackPortSql(column, key.fallbackColumn, key.addressColumn);
      plain.push(`${port} AS ${name}`);
    } else if (key.fallbackColumn !== undefined) {
      // The loader stores NULL for text that is not an address, so coalesce reads the fallback.
      const fallback = sqlIdentifier(fallbackAddressColumn(key.fallbackColumn));
      plain.push(`coalesce(${column}, ${fallback}) AS ${name}`);
    } else if (key.normalization === 'ip' || key.normalization === 'exact')
      plain.push(`${column} AS ${name}`);
    else if (key.hostColumn !== undefined) {
      const hostColumn = sqlIdentifier(key.hostColumn);
      // An IPv6 host gets brackets, as `urlHost` in the compile folder writes it.
      const host = `(CASE WHEN starts_with(${hostColumn}, '[') OR length(${hostColumn}) - length(replace(${hostColumn}, ':', '')) < 2 THEN ${hostColumn} ELSE '[' || ${hostColumn} || ']' END)`;
      const port =
        key.portColumn === undefined ? "''" : portSql(host, sqlIdentifier(key.portColumn));
      // A NULL host makes the joined text NULL, which has no key, as an empty host has none.
      const joined = `CASE WHEN starts_with(${column}, '/') THEN ${host} || ${port} || ${column} ELSE ${column} END`;
      plain.push(`${keySql(key.normalization, `(${joined})`, 'event')} AS ${name}`);
    } else if (key.normalization === 'host-suffix') {
      plain.push(
        `${keySql('host-suffix', column, 'event')} AS ${sqlIdentifier(`h_${keyName(branchIndex, keyIndex)}`)}`,
      );
      hosts.push(keyName(branchIndex, keyIndex));
    } else plain.push(`${keySql(key.normalization, column, 'event')} AS ${name}`);
  });
  const selected = `SELECT ${plain.join(', ')} FROM ${source}`;
  let query = withAddressHosts(urlKeyNames(branch, branchIndex), selected);
  for (const key of hosts) {
    // Every label-aligned suffix of the host is a candidate key: a.evil.com gives a.evil.com,
    // evil.com and com, and the join keeps the candidates that are indicator domains.
    const host = sqlIdentifier(`h_${key}`);
    const labels = sqlIdentifier(`l_${key}`);
    const start = sqlIdentifier(`s_${key}`);
    query =
      `SELECT * EXCLUDE (${labels}, ${start}), ` +
      `array_to_string(list_slice(${labels}, ${start}, len(${labels})), '.') AS ${sqlIdentifier(key)} ` +
      `FROM (SELECT *, unnest(range(1, len(${labels}) + 1)) AS ${start} ` +
      `FROM (SELECT *, string_split(${host}, '.') AS ${labels} FROM (${query}) WHERE ${host} <> ''))`;
  }
  if (arrayKeys.length > 0) {
    const keys = branch.keys.map((_, keyIndex) => sqlIdentifier(keyName(branchIndex, keyIndex)));
    query =
      `SELECT __row, ${keys.join(', ')}, bool_or(__from_column) AS __from_column ` +
      `FROM (${query}) GROUP BY __row, ${keys.join(', ')}`;
  }
  return query;
}

function hitsSql(hunt: Hunt, plan: DuckDbHuntPlan, options: DuckDbPlanOptions): string {
  const conditions: string[] = [];
  if (options.now) {
    const start = lookbackStart(options.now, hunt.lookback);
    const time = `e.${sqlIdentifier(hunt.source.timeColumn)}`;
    // The window ends at `now` unless it is open-ended, as in the reference evaluator; see
    // `inWindow` there.
    conditions.push(`${time} > epoch_ms(${sqlNumber(start)})`);
    if (!options.openEnded) {
      conditions.push(`${time} <= epoch_ms(${sqlNumber(options.now.getTime())})`);
    }
  }
  if (hunt.where) conditions.push(compileDuckDbFilter(hunt.where, resolver(hunt, plan, 'event')));
  const ev =
    `ev AS (SELECT * FROM ${sqlIdentifier(plan.eventTable)} AS e` +
    (conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')})` : ')');

  const iocTable = sqlIdentifier(plan.iocTable);
  const branches = hunt.match.map((branch, branchIndex) => {
    assertBranchShape(branch);
    const on = branch.keys.map((_, keyIndex) => {
      const name = sqlIdentifier(keyName(branchIndex, keyIndex));
      return `k.${name} = i.${name}`;
    });
    const arrayOnly = branch.arrayLabel === undefined ? 'FALSE' : 'NOT k.__from_column';
    return (
      `SELECT k.__row, i.__ioc, ${branchIndex} AS __branch, ${arrayOnly} AS __array_only ` +
      `FROM (${branchKeysSql(branch, branchIndex)}) AS k JOIN ${iocTable} AS i ON ${on.join(' AND ')}`
    );
  });
  // A hunt without branches matches nothing; the empty SELECT keeps the statement valid.
  const none = `SELECT NULL::INTEGER AS __row, NULL::INTEGER AS __ioc, 0 AS __branch, FALSE AS __array_only WHERE FALSE`;
  const hits = `hits AS (${branches.length > 0 ? branches.join('\nUNION ALL\n') : none})`;

  const hitResolver = resolver(hunt, plan, 'hit');
  const exclusions = hunt.exclusions.map(
    (exclusion) => `NOT ${compileDuckDbFilter(exclusion.filter, hitResolver)}`,
  );
  return [
    `WITH ${ev},`,
    hits,
    'SELECT h.__row, h.__ioc, h.__branch, h.__array_only FROM hits AS h',
    'JOIN ev AS e ON e.__row = h.__row',
    `JOIN ${iocTable} AS i ON i.__ioc = h.__ioc`,
    exclusions.length > 0 ? `WHERE ${exclusions.join('\n  AND ')}` : '',
    'ORDER BY h.__row, h.__branch, h.__ioc',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
