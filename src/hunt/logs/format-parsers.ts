/**
 * Chooses the record source and the record parser for each log format.
 */
import { parseCefRecord } from './cef-record.js';
import type { LogFormat } from './detect-format.js';
import { createCsvExportParser, parseJsonExport } from './exports.js';
import { createZeekTsvParser, parseZeekJson } from './zeek-formats.js';
import { parseSuricataEvent } from './suricata.js';
import { createMappedCsvParser, createMappedJsonParser } from './mapped.js';
import type { HuntpackIssue } from '../../errors.js';
import type { RecordContext, RecordOutcome } from './record.js';

/** Settings shared by the parsers of one run. */
export interface ParserSettings {
  /** Input field name to CommonSecurityLog column, for the mapped formats. */
  map: Record<string, string>;
}

/** Parses records of one file; created per file because some formats keep header state. */
export type FormatParser =
  | { source: 'lines'; parse: (line: string, context: RecordContext) => RecordOutcome }
  | {
      source: 'json';
      parse: (value: unknown, context: RecordContext) => RecordOutcome;
      /** Returns an issue about the whole file, once every record of it was parsed. */
      finish?: (file: string) => HuntpackIssue | undefined;
    }
  | {
      source: 'csv';
      /** Reads the header row; returns a rejection when it cannot be used. */
      header: (names: string[], context: RecordContext) => RecordOutcome | undefined;
      parse: (row: string[], context: RecordContext) => RecordOutcome;
    };

/** Returns a fresh parser for one file of the given format. */
export function createFormatParser(format: LogFormat, settings: ParserSettings): FormatParser {
  switch (format) {
    case 'cef':
      return { source: 'lines', parse: parseCefRecord };
    case 'commonsecuritylog-csv':
      return createCsvExportParser('CommonSecurityLog');
    case 'devicenetworkevents-csv':
      return createCsvExportParser('Defender');
    case 'commonsecuritylog-json':
      return {
        source: 'json',
        parse: (value, context) => parseJsonExport('CommonSecurityLog', value, context),
      };
    case 'devicenetworkevents-json':
      return {
        source: 'json',
        parse: (value, context) => parseJsonExport('Defender', value, context),
      };
    case 'zeek-tsv':
      return { source: 'lines', parse: createZeekTsvParser() };
    case 'zeek-json':
      return { source: 'json', parse: parseZeekJson };
    case 'suricata-eve':
      return { source: 'json', parse: parseSuricataEvent };
    case 'mapped-csv':
      return createMappedCsvParser(settings.map);
    case 'mapped-json':
      return createMappedJsonParser(settings.map);
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}
