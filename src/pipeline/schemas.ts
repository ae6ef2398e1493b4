/**
 * Table schemas (column names and Kusto types) of the Sentinel and Defender tables, read from
 * the JSON files in `data/schemas`.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { ColumnType } from '../compile/ir.js';

export type Platform = 'sentinel' | 'defender';

export interface TableSchema {
  name: string;
  platform: Platform;
  /** Columns in file order. */
  columns: Array<{ name: string; type: ColumnType }>;
}

const SCHEMA_FOLDER = new URL('../../data/schemas/', import.meta.url);

/** Tables with a schema file in `data/schemas`. */
export const SENTINEL_TABLES = [
  'CommonSecurityLog',
  'DeviceNetworkEvents',
  'DeviceFileEvents',
  'DeviceProcessEvents',
  'DeviceImageLoadEvents',
  'DeviceEvents',
  'DnsEvents',
  'UrlClickEvents',
  'Syslog',
  'ThreatIntelligenceIndicator',
  'ASimNetworkSessionLogs',
  'ASimDnsActivityLogs',
  'AZFWNetworkRule',
] as const;

/** Columns that only Sentinel's (Log Analytics') copy of a Defender table has. */
const SENTINEL_ONLY_COLUMNS = new Set([
  'TimeGenerated',
  'TenantId',
  'SourceSystem',
  'Type',
  '_BilledSize',
  '_IsBillable',
]);

/** Defender advanced hunting tables that huntpack derives from the Sentinel schemas. */
export const DEFENDER_TABLES = [
  'DeviceNetworkEvents',
  'DeviceFileEvents',
  'DeviceProcessEvents',
  'DeviceImageLoadEvents',
  'DeviceEvents',
  'UrlClickEvents',
] as const;

const TYPE_NAMES: Record<string, ColumnType> = {
  string: 'string',
  int: 'int',
  int32: 'int',
  long: 'long',
  int64: 'long',
  bigint: 'long',
  real: 'real',
  double: 'real',
  float: 'real',
  decimal: 'decimal',
  bool: 'bool',
  boolean: 'bool',
  datetime: 'datetime',
  date: 'datetime',
  timespan: 'timespan',
  guid: 'guid',
  dynamic: 'dynamic',
};

/** Maps a type name as the schema files spell it (`String`, `Datetime`, `BigInt`) to a Kusto type. */
export function parseColumnType(name: string): ColumnType | undefined {
  return TYPE_NAMES[
    name
      .trim()
      .toLowerCase()
      .replace(/^system\./, '')
  ];
}

const cache = new Map<string, TableSchema>();

/**
 * Returns the schema of a table on a platform.
 *
 * @throws ConfigError when no schema file exists for the table or the file is malformed.
 */
export function getTableSchema(table: string, platform: Platform = 'sentinel'): TableSchema {
  const key = `${platform}:${table}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const known: readonly string[] = platform === 'sentinel' ? SENTINEL_TABLES : DEFENDER_TABLES;
  if (!known.includes(table)) {
    throw new ConfigError(
      'UNKNOWN_TABLE',
      `No schema for table "${table}" on ${platform}: expected one of ${known.join(', ')}.`,
    );
  }
  const file = new URL(`${table}.json`, SCHEMA_FOLDER);
  const parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as {
    Properties?: Array<{ Name?: unknown; Type?: unknown }>;
  };
  const columns: TableSchema['columns'] = [];
  for (const property of parsed.Properties ?? []) {
    const type = typeof property.Type === 'string' ? parseColumnType(property.Type) : undefined;
    if (typeof property.Name !== 'string' || !type) {
      throw new ConfigError(
        'INVALID_SCHEMA',
        `Invalid column ${JSON.stringify(property)} in schema file ${file.pathname}.`,
      );
    }
    if (platform === 'defender' && SENTINEL_ONLY_COLUMNS.has(property.Name)) continue;
    columns.push({ name: property.Name, type });
  }
  // Advanced hunting names the event time Timestamp; a Sentinel schema with only TimeGenerated
  // (UrlClickEvents) gets the Defender name for it.
  if (platform === 'defender' && !columns.some((column) => column.name === 'Timestamp')) {
    columns.unshift({ name: 'Timestamp', type: 'datetime' });
  }
  const schema: TableSchema = { name: table, platform, columns };
  cache.set(key, schema);
  return schema;
}

/** Returns the type of a column, or undefined when the table has no such column. */
export function getColumnType(schema: TableSchema, column: string): ColumnType | undefined {
  return schema.columns.find((entry) => entry.name === column)?.type;
}

/** Returns every schema of a platform. */
export function getPlatformSchemas(platform: Platform): TableSchema[] {
  const tables = platform === 'sentinel' ? SENTINEL_TABLES : DEFENDER_TABLES;
  return tables.map((table) => getTableSchema(table, platform));
}
