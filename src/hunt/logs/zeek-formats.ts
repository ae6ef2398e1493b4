/**
 * The two Zeek file layouts: TSV with `#` header lines, and JSON with one object per line.
 */
import { quoteValue } from '../../errors.js';
import { rejectRecord, skipRecord, type RecordContext, type RecordOutcome } from './record.js';
import { zeekPathFromFileName, zeekToOutcome } from './zeek.js';

/** Decodes `\xNN` escapes, which Zeek uses for the separator in `#separator \x09`. */
function decodeHexEscapes(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_match, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/** Creates a parser for the lines of one Zeek TSV file, which keeps its header state. */
export function createZeekTsvParser(): (line: string, context: RecordContext) => RecordOutcome {
  let separator = '\t';
  let setSeparator = ',';
  let emptyField = '(empty)';
  let unsetField = '-';
  let path: string | undefined;
  let fields: string[] | undefined;
  let index = new Map<string, number>();

  const readHeader = (line: string): void => {
    // `#separator` is followed by a space, the other headers by the separator itself.
    let cut = line.indexOf(separator);
    if (line.startsWith('#separator') || cut < 0) cut = line.indexOf(' ');
    const name = cut < 0 ? line : line.slice(0, cut);
    const value = cut < 0 ? '' : line.slice(cut + 1);
    if (name === '#separator') separator = decodeHexEscapes(value.trim());
    else if (name === '#set_separator') setSeparator = value;
    else if (name === '#empty_field') emptyField = value;
    else if (name === '#unset_field') unsetField = value;
    else if (name === '#path') path = value;
    else if (name === '#fields') {
      fields = value.split(separator);
      index = new Map(fields.map((field, position) => [field, position]));
    }
  };

  return (line, context) => {
    if (line.startsWith('#')) {
      readHeader(line);
      return skipRecord('ZEEK_HEADER');
    }
    if (line.trim() === '') return skipRecord('BLANK_LINE');
    if (!fields) {
      return rejectRecord('MISSING_ZEEK_FIELDS', 'Zeek data line comes before any #fields header.');
    }
    const values = line.split(separator);
    if (values.length !== fields.length) {
      return rejectRecord(
        'COLUMN_COUNT_MISMATCH',
        `Zeek line has ${values.length} fields but #fields names ${fields.length}.`,
      );
    }
    const get = (name: string): string | undefined => {
      const position = index.get(name);
      const value = position === undefined ? undefined : values[position];
      if (value === undefined || value === unsetField || value === emptyField) return undefined;
      return setSeparator === ',' ? value : value.split(setSeparator).join(',');
    };
    return zeekToOutcome(path ?? zeekPathFromFileName(context.file), get, context);
  };
}

/** Infers the log path of a JSON record written without `_path`. */
function inferJsonPath(record: Record<string, unknown>, file: string): string | undefined {
  // A notice about a file has a fuid too, so notices are checked for before files.
  if ('note' in record && 'msg' in record) return 'notice';
  if ('name' in record && 'notice' in record) return 'weird';
  if ('query' in record || 'qtype_name' in record) return 'dns';
  if ('method' in record || 'uri' in record) return 'http';
  if ('server_name' in record || 'ssl_history' in record) return 'ssl';
  if ('fuid' in record || 'mime_type' in record) return 'files';
  if ('conn_state' in record || 'history' in record) return 'conn';
  return zeekPathFromFileName(file);
}

/**
 * Returns the field `id.orig_h` of a record that nests it as `{"id": {"orig_h": ...}}`, as
 * Logstash and Elastic pipelines write Zeek logs, or undefined.
 */
function nestedField(record: Record<string, unknown>, name: string): unknown {
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  const parent = record[name.slice(0, dot)];
  if (typeof parent !== 'object' || parent === null || Array.isArray(parent)) return undefined;
  return (parent as Record<string, unknown>)[name.slice(dot + 1)];
}

/** Parses one Zeek JSON record. */
export function parseZeekJson(value: unknown, context: RecordContext): RecordOutcome {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return rejectRecord('NOT_AN_OBJECT', `Expected a JSON object, found ${quoteValue(value)}.`);
  }
  const record = value as Record<string, unknown>;
  const path =
    typeof record._path === 'string' ? record._path : inferJsonPath(record, context.file);
  const get = (name: string): string | undefined => {
    const field = record[name] ?? nestedField(record, name);
    if (field === undefined || field === null) return undefined;
    if (Array.isArray(field)) return field.length === 0 ? undefined : field.join(',');
    if (typeof field === 'string') return field;
    if (typeof field === 'number' || typeof field === 'boolean') return String(field);
    return JSON.stringify(field);
  };
  return zeekToOutcome(path, get, context);
}
