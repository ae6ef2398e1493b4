/**
 * Reads CSV and JSON logs of any other producer through a field map that names, for each input
 * field, the CommonSecurityLog column it fills: `{ dst: 'DestinationIP', ts: 'TimeGenerated' }`.
 */
import { quoteValue, type HuntpackIssue } from '../../errors.js';
import { ColumnBuilder, rejectRecord, type RecordContext, type RecordOutcome } from './record.js';

/** Builds an event from the mapped fields that `get` finds. */
function buildMappedEvent(
  map: Record<string, string>,
  get: (field: string) => unknown,
  context: RecordContext,
): RecordOutcome {
  const builder = new ColumnBuilder('CommonSecurityLog', context);
  for (const [field, column] of Object.entries(map)) builder.set(column, get(field));
  const time = builder.columns.TimeGenerated;
  if (time instanceof Date) builder.setTime(time);
  else if (!Object.values(map).includes('TimeGenerated')) {
    context.warn(
      'MISSING_TIME',
      'No field is mapped to TimeGenerated, so events have no time. Map one, such as --map TimeGenerated=ts.',
    );
  }
  return builder.toOutcome();
}

/**
 * Returns the missing fields with their --map options, such as `"nosuch" (--map
 * DestinationIP=nosuch)`, and the clause that names the columns left empty.
 */
function describeMissing(
  map: Record<string, string>,
  missing: readonly string[],
): { options: string; emptyColumns: string } {
  const options = missing.map((field) => `${quoteValue(field)} (--map ${map[field]}=${field})`);
  const columns = missing.map((field) => map[field]);
  const subject = columns.length === 1 ? `${columns[0]} is` : `${columns.join(', ')} are`;
  return {
    options: options.join(', '),
    emptyColumns: `${subject} empty in every event of the file`,
  };
}

/** Creates the header and row parsers of a CSV file read through a field map. */
export function createMappedCsvParser(map: Record<string, string>) {
  let index = new Map<string, number>();
  return {
    source: 'csv' as const,
    header(names: string[]): RecordOutcome | undefined {
      index = new Map(names.map((name, position) => [name.trim(), position]));
      const missing = Object.keys(map).filter((field) => !index.has(field));
      const headerStart = quoteValue(names.slice(0, 8).join(','));
      if (missing.length === Object.keys(map).length) {
        return rejectRecord(
          'MAPPED_FIELDS_NOT_FOUND',
          `CSV header has none of the mapped fields ${quoteValue(missing.join(', '))}: header starts ${headerStart}.`,
        );
      }
      // The rows are still read, but the columns of the missing fields stay empty in each of
      // them, so the hunts over those columns would miss hits without notice.
      if (missing.length > 0) {
        const { options, emptyColumns } = describeMissing(map, missing);
        return rejectRecord(
          'MAPPED_FIELD_MISSING',
          `CSV header has no column ${options}, so ${emptyColumns}: header starts ` +
            `${headerStart}. Name a column of the header in --map.`,
        );
      }
      return undefined;
    },
    parse(row: string[], context: RecordContext): RecordOutcome {
      const get = (field: string): unknown => {
        const position = index.get(field);
        return position === undefined ? undefined : row[position];
      };
      return buildMappedEvent(map, get, context);
    },
  };
}

/** Returns a field of a JSON object by its exact key, or else by a dotted path (`a.b.c`). */
function lookupField(record: Record<string, unknown>, field: string): unknown {
  if (field in record) return record[field];
  let current: unknown = record;
  for (const part of field.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * Creates the parser of a JSON file read through a field map. Its `finish` returns a
 * MAPPED_FIELDS_NOT_FOUND issue when no object of the file has a mapped field, because every
 * event of such a file is empty, and a MAPPED_FIELD_MISSING issue when no object has some of
 * them, because their columns are empty. A CSV header without them is rejected with the same
 * codes.
 */
export function createMappedJsonParser(map: Record<string, string>) {
  const fields = Object.keys(map);
  let objects = 0;
  let objectsWithField = 0;
  const fieldsSeen = new Set<string>();
  let firstKeys: string[] | undefined;
  return {
    source: 'json' as const,
    parse(value: unknown, context: RecordContext): RecordOutcome {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return rejectRecord('NOT_AN_OBJECT', `Expected a JSON object, found ${quoteValue(value)}.`);
      }
      const record = value as Record<string, unknown>;
      // The event is built first, because a date whose order is still open raises
      // DateOrderUndecided, and the reader parses the object again once the order is decided.
      const outcome = buildMappedEvent(map, (field) => lookupField(record, field), context);
      objects++;
      firstKeys ??= Object.keys(record);
      // A field given as null is present, as an empty CSV cell under a mapped header is.
      let hasField = false;
      for (const field of fields) {
        if (lookupField(record, field) === undefined) continue;
        hasField = true;
        fieldsSeen.add(field);
      }
      if (hasField) objectsWithField++;
      return outcome;
    },
    finish(file: string): HuntpackIssue | undefined {
      if (objects === 0) return undefined;
      const records = objects === 1 ? 'its 1 JSON object' : `any of its ${objects} JSON objects`;
      const firstFields = (firstKeys ?? []).slice(0, 8).join(', ');
      if (objectsWithField > 0) {
        const missing = fields.filter((field) => !fieldsSeen.has(field));
        if (missing.length === 0) return undefined;
        const { options, emptyColumns } = describeMissing(map, missing);
        return {
          code: 'MAPPED_FIELD_MISSING',
          severity: 'error',
          message:
            `JSON log "${file}" has no field ${options} in ${records}, so ${emptyColumns}. ` +
            `The first object has the fields ${quoteValue(firstFields)}. Name a field of the ` +
            'log in --map, with a dotted name such as destination.ip for a nested field.',
          source: { file },
        };
      }
      return {
        code: 'MAPPED_FIELDS_NOT_FOUND',
        severity: 'error',
        message:
          `JSON log "${file}" has none of the mapped fields ${quoteValue(fields.join(', '))} in ` +
          `${records}: the first object has the fields ${quoteValue(firstFields)}. ` +
          'Name fields of the log in --map, such as --map DestinationIP=dst_ip.',
        source: { file },
      };
    },
  };
}
