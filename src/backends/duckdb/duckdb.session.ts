/**
 * Runs planned hunts on an embedded in-memory DuckDB. Each plan's indicators are loaded once.
 * Events then arrive batch by batch and replace the event table's rows, so DuckDB's memory
 * depends on the batch size and not on the size of the logs.
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTimestampValue,
  INTEGER,
  TIMESTAMP,
  UHUGEINT,
  VARCHAR,
  type DuckDBAppender,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { ColumnType, Hunt, IocCell } from '../../compile/ir.js';
import { addressListTokens, fallbackAddress } from '../../compile/ir.js';
import { InternalError } from '../../errors.js';
import {
  addressColumn,
  addressListColumn,
  arrayTextColumn,
  fallbackAddressColumn,
  planDuckDbHunts,
  type DuckDbHuntPlan,
  type DuckDbPlanOptions,
} from './duckdb.backend.js';
import { sqlIdentifier } from './duckdb.escape.js';
import { ADDRESS_HOST_MACRO } from './duckdb.keys.js';
import { addressKey } from './ip-key.js';

/** One hit of one hunt in a batch. */
export interface DuckDbHit {
  hunt: Hunt;
  /** Index of the row in `hunt.iocs.rows`. */
  iocIndex: number;
  /** Index of the event in the batch. */
  eventIndex: number;
  /** `MatchedOn`: the label of the match branch, or its array label (see `ir.ts`). */
  matchedOn: string;
}

export interface DuckDbSessionOptions extends DuckDbPlanOptions {
  /** DuckDB `threads` setting; default: DuckDB's own (the number of cores). */
  threads?: number;
  /** DuckDB `memory_limit` setting, such as `512MB`; default: DuckDB's own (80% of RAM). */
  memoryLimit?: string;
}

/** A Kusto column type as stored in DuckDB, with the conversion of a JavaScript value. */
interface StoredType {
  type: DuckDBType;
  sql: string;
  convert: (value: unknown) => DuckDBValue;
}

const MAX_INT32 = 2 ** 31 - 1;

function storedType(type: ColumnType): StoredType {
  switch (type) {
    case 'int':
      return {
        type: INTEGER,
        sql: 'INTEGER',
        convert: (value) =>
          Number.isInteger(value) && Math.abs(value as number) <= MAX_INT32
            ? (value as number)
            : null,
      };
    case 'long':
      return { type: BIGINT, sql: 'BIGINT', convert: toBigInt };
    case 'real':
      return {
        type: DOUBLE,
        sql: 'DOUBLE',
        convert: (value) => (typeof value === 'number' ? value : null),
      };
    case 'bool':
      return {
        type: BOOLEAN,
        sql: 'BOOLEAN',
        convert: (value) => (typeof value === 'boolean' ? value : null),
      };
    case 'datetime':
      return { type: TIMESTAMP, sql: 'TIMESTAMP', convert: toTimestamp };
    default:
      return {
        type: VARCHAR,
        sql: 'VARCHAR',
        convert: (value) => (typeof value === 'string' ? value : null),
      };
  }
}

const ADDRESS: StoredType = {
  type: UHUGEINT,
  sql: 'UHUGEINT',
  convert: (value) => addressKey(value) ?? null,
};

const FALLBACK_ADDRESS: StoredType = {
  ...ADDRESS,
  convert: (value) => addressKey(fallbackAddress(value)) ?? null,
};

/**
 * Returns the distinct address keys among the tokens of an address list as decimal text joined
 * with commas, which the hunt statement casts back to UHUGEINT, or null when there are none.
 */
function addressListKeys(value: unknown): string | null {
  const keys = new Set<bigint>();
  for (const token of addressListTokens(value)) {
    const key = addressKey(token);
    if (key !== undefined) keys.add(key);
  }
  return keys.size === 0 ? null : [...keys].join(',');
}

const ADDRESS_LIST: StoredType = { type: VARCHAR, sql: 'VARCHAR', convert: addressListKeys };

function toBigInt(value: unknown): bigint | null {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) {
    const number = BigInt(value);
    return number >= -(2n ** 63n) && number < 2n ** 63n ? number : null;
  }
  return null;
}

function toTimestamp(value: unknown): DuckDBTimestampValue | null {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return null;
  return new DuckDBTimestampValue(BigInt(value.getTime()) * 1000n);
}

/** A column of a table the session loads: its source column, name and stored type. */
interface LoadedColumn {
  source: string;
  name: string;
  stored: StoredType;
}

/** Returns a dynamic array as JSON text: an array is serialized, a string is kept as it is. */
function arrayText(value: unknown): string | null {
  if (Array.isArray(value)) return JSON.stringify(value);
  return typeof value === 'string' ? value : null;
}

const ARRAY_TEXT: StoredType = { type: VARCHAR, sql: 'VARCHAR', convert: arrayText };

function loadedColumns(
  columns: Map<string, ColumnType>,
  addresses: Set<string>,
  fallbacks: Set<string>,
  arrays: Set<string>,
  addressLists: Set<string>,
): LoadedColumn[] {
  const loaded: LoadedColumn[] = [];
  for (const [name, type] of columns) loaded.push({ source: name, name, stored: storedType(type) });
  for (const name of addresses)
    loaded.push({ source: name, name: addressColumn(name), stored: ADDRESS });
  for (const name of fallbacks)
    loaded.push({ source: name, name: fallbackAddressColumn(name), stored: FALLBACK_ADDRESS });
  for (const name of arrays)
    loaded.push({ source: name, name: arrayTextColumn(name), stored: ARRAY_TEXT });
  for (const name of addressLists)
    loaded.push({ source: name, name: addressListColumn(name), stored: ADDRESS_LIST });
  return loaded;
}

/** DuckDB's standard vector size: the most rows one data chunk holds. */
const CHUNK_ROWS = 2048;

/** Appends rows given column by column, in chunks of up to {@link CHUNK_ROWS}. */
function appendColumns(appender: DuckDBAppender, types: DuckDBType[], columns: DuckDBValue[][]) {
  const rowCount = columns[0]?.length ?? 0;
  for (let start = 0; start < rowCount; start += CHUNK_ROWS) {
    const end = Math.min(start + CHUNK_ROWS, rowCount);
    const chunk = DuckDBDataChunk.create(types, end - start);
    chunk.setColumns(columns.map((column) => column.slice(start, end)));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
}

interface EventTable {
  name: string;
  columns: LoadedColumn[];
  plans: DuckDbHuntPlan[];
  appender?: DuckDBAppender;
}

/** Target of a plan's `__ioc` number: the hunt and the row in its indicator table. */
interface IocOrigin {
  hunt: Hunt;
  iocIndex: number;
}

/** An open DuckDB database holding the indicator tables of a set of hunts. */
export class DuckDbHuntSession {
  private readonly origins = new Map<DuckDbHuntPlan, IocOrigin[]>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly eventTables: Map<string, EventTable>,
  ) {}

  /**
   * Plans `hunts` and opens an in-memory database. A table's event table and indicator tables
   * are created when the first batch of that table arrives, so hunts over tables the logs do not
   * fill cost nothing.
   */
  static async open(hunts: Hunt[], options: DuckDbSessionOptions = {}): Promise<DuckDbHuntSession> {
    const settings: Record<string, string> = {};
    if (options.threads !== undefined) settings.threads = String(options.threads);
    if (options.memoryLimit !== undefined) settings.memory_limit = options.memoryLimit;
    const plans = planDuckDbHunts(hunts, options);
    const instance = await DuckDBInstance.create(':memory:', settings);
    const connection = await instance.connect();
    await connection.run(ADDRESS_HOST_MACRO);
    return new DuckDbHuntSession(instance, connection, eventTablesOf(plans));
  }

  /** Source tables that at least one hunt reads. */
  get tables(): string[] {
    return [...this.eventTables.keys()];
  }

  /** The SQL statements the session runs per batch, for review and tests. */
  get statements(): string[] {
    return [...this.eventTables.values()].flatMap((table) =>
      table.plans.map((plan) => plan.hitsSql),
    );
  }

  /**
   * Replaces the rows of `table` with `events` and returns the hits of every hunt on that table,
   * in plan order and then by event. A table no hunt reads returns no hits.
   */
  async run(
    table: string,
    events: ReadonlyArray<Readonly<Record<string, unknown>>>,
  ): Promise<DuckDbHit[]> {
    const eventTable = this.eventTables.get(table);
    if (!eventTable || events.length === 0) return [];
    if (!this.origins.has(eventTable.plans[0]!)) {
      for (const plan of eventTable.plans) await this.loadIndicators(plan);
    }
    await this.replaceEvents(eventTable, events);
    const hits: DuckDbHit[] = [];
    for (const plan of eventTable.plans) {
      const reader = await this.connection.runAndReadAll(plan.hitsSql);
      const origins = this.origins.get(plan)!;
      for (const [row, ioc, branchIndex, arrayOnly] of reader.getRows()) {
        const origin = origins[Number(ioc)];
        const branch = origin?.hunt.match[Number(branchIndex)];
        const label = arrayOnly === true ? branch?.arrayLabel : branch?.label;
        if (!origin || label === undefined) {
          throw new InternalError(
            'DUCKDB_HIT_UNKNOWN',
            `DuckDB returned a hit for unknown indicator row ${String(ioc)}.`,
          );
        }
        hits.push({
          hunt: origin.hunt,
          iocIndex: origin.iocIndex,
          eventIndex: Number(row),
          matchedOn: label,
        });
      }
    }
    return hits;
  }

  /** Closes the connection and the database. */
  close(): void {
    for (const table of this.eventTables.values()) table.appender?.closeSync();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async loadIndicators(plan: DuckDbHuntPlan): Promise<void> {
    const columns: LoadedColumn[] = [
      ...plan.iocColumns.map((column) => ({
        source: column.name,
        name: column.name,
        stored: storedType(column.type),
      })),
      ...[...plan.iocAddressColumns].map((name) => ({
        source: name,
        name: addressColumn(name),
        stored: ADDRESS,
      })),
    ];
    const raw = `${plan.iocTable}_raw`;
    const definitions = columns.map(
      (column) => `${sqlIdentifier(column.name)} ${column.stored.sql}`,
    );
    await this.connection.run(
      `CREATE TABLE ${sqlIdentifier(raw)} (__ioc INTEGER, ${definitions.join(', ')})`,
    );

    const origins: IocOrigin[] = [];
    const values: DuckDBValue[][] = [[], ...columns.map(() => [])];
    for (const hunt of plan.hunts) {
      hunt.iocs.rows.forEach((row, iocIndex) => {
        const record = iocRecord(hunt, row);
        values[0]!.push(origins.length);
        columns.forEach((column, index) =>
          values[index + 1]!.push(column.stored.convert(record[column.source])),
        );
        origins.push({ hunt, iocIndex });
      });
    }
    this.origins.set(plan, origins);
    const appender = await this.connection.createAppender(raw);
    appendColumns(appender, [INTEGER, ...columns.map((column) => column.stored.type)], values);
    appender.closeSync();
    await this.connection.run(plan.keyedIocSql);
    await this.connection.run(`DROP TABLE ${sqlIdentifier(raw)}`);
  }

  /** Creates the event table anew, dropping the previous batch's rows with their storage. */
  private async createEventTable(table: EventTable): Promise<void> {
    table.appender?.closeSync();
    const definitions = table.columns.map(
      (column) => `${sqlIdentifier(column.name)} ${column.stored.sql}`,
    );
    await this.connection.run(
      `CREATE OR REPLACE TABLE ${sqlIdentifier(table.name)} (__row INTEGER, ${definitions.join(', ')})`,
    );
    table.appender = await this.connection.createAppender(table.name);
  }

  private async replaceEvents(
    table: EventTable,
    events: ReadonlyArray<Readonly<Record<string, unknown>>>,
  ) {
    await this.createEventTable(table);
    const values: DuckDBValue[][] = [events.map((_, index) => index)];
    for (const column of table.columns) {
      const convert = column.stored.convert;
      values.push(events.map((event) => convert(event[column.source])));
    }
    appendColumns(
      table.appender!,
      [INTEGER, ...table.columns.map((column) => column.stored.type)],
      values,
    );
  }
}

function iocRecord(hunt: Hunt, row: IocCell[]): Record<string, unknown> {
  const record: Record<string, unknown> = { ...hunt.constants };
  hunt.iocs.columns.forEach((column, index) => {
    const cell = row[index] ?? null;
    record[column.name] = cell;
  });
  return record;
}

/** Returns one event table per source table, with the union of the columns its plans read. */
function eventTablesOf(plans: DuckDbHuntPlan[]): Map<string, EventTable> {
  const byTable = new Map<
    string,
    {
      plans: DuckDbHuntPlan[];
      columns: Map<string, ColumnType>;
      addresses: Set<string>;
      fallbacks: Set<string>;
      arrays: Set<string>;
      addressLists: Set<string>;
    }
  >();
  for (const plan of plans) {
    let entry = byTable.get(plan.table);
    if (!entry) {
      entry = {
        plans: [],
        columns: new Map(),
        addresses: new Set(),
        fallbacks: new Set(),
        arrays: new Set(),
        addressLists: new Set(),
      };
      byTable.set(plan.table, entry);
    }
    entry.plans.push(plan);
    plan.eventColumns.forEach((type, name) => entry.columns.set(name, type));
    plan.eventAddressColumns.forEach((name) => entry.addresses.add(name));
    plan.eventFallbackColumns.forEach((name) => entry.fallbacks.add(name));
    plan.eventArrayColumns.forEach((name) => entry.arrays.add(name));
    plan.eventAddressListColumns.forEach((name) => entry.addressLists.add(name));
  }
  const tables = new Map<string, EventTable>();
  for (const [table, entry] of byTable) {
    tables.set(table, {
      name: entry.plans[0]!.eventTable,
      columns: loadedColumns(
        entry.columns,
        entry.addresses,
        entry.fallbacks,
        entry.arrays,
        entry.addressLists,
      ),
      plans: entry.plans,
    });
  }
  return tables;
}
