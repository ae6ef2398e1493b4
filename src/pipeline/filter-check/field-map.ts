/**
 * Suggestions for columns that do not exist: ECS and Sigma field names mapped to the real
 * columns of a table, read from `data/field-maps/ecs-sigma-to-tables.json`, and near-miss
 * spellings of real columns.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import type { TableSchema } from '../schemas.js';
import { editDistance } from '../../edit-distance.js';

interface FieldMapFile {
  groups: Array<{ tables: string[]; fields: Record<string, string[]> }>;
}

const FIELD_MAP_FILE = new URL(
  '../../../data/field-maps/ecs-sigma-to-tables.json',
  import.meta.url,
);

let loaded: FieldMapFile | undefined;

function loadFieldMap(): FieldMapFile {
  if (loaded) return loaded;
  const parsed = JSON.parse(readFileSync(FIELD_MAP_FILE, 'utf8')) as Partial<FieldMapFile>;
  if (!Array.isArray(parsed.groups)) {
    throw new ConfigError(
      'INVALID_FIELD_MAP',
      `Invalid field map ${FIELD_MAP_FILE.pathname}: expected a "groups" array.`,
    );
  }
  loaded = { groups: parsed.groups };
  return loaded;
}

/**
 * Returns the columns of `table` that hold the value an ECS or Sigma field names, best first;
 * empty when the table has no such column. Field names match case-insensitively.
 */
export function mapFieldToColumns(field: string, table: string): string[] {
  const wanted = field.toLowerCase();
  for (const group of loadFieldMap().groups) {
    if (!group.tables.includes(table)) continue;
    for (const [name, columns] of Object.entries(group.fields)) {
      if (name.toLowerCase() === wanted) return columns;
    }
  }
  return [];
}

/** True when the field map lists the field for some table, so it is an ECS or Sigma name. */
export function isMappedField(field: string): boolean {
  const wanted = field.toLowerCase();
  return loadFieldMap().groups.some((group) =>
    Object.keys(group.fields).some((name) => name.toLowerCase() === wanted),
  );
}

/**
 * Returns the real column a mistyped name most likely means: a case-insensitive match, else
 * the only column within two edits.
 */
export function suggestColumn(name: string, schema: TableSchema): string | undefined {
  const lower = name.toLowerCase();
  const exact = schema.columns.find((column) => column.name.toLowerCase() === lower);
  if (exact) return exact.name;
  const close = schema.columns.filter(
    (column) => editDistance(column.name.toLowerCase(), lower, 2) <= 2,
  );
  return close.length === 1 ? close[0]?.name : undefined;
}
