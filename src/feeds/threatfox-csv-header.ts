/**
 * Recognition of a ThreatFox CSV header line, shared by format detection and the CSV reader so
 * that both accept the same headers. Columns are matched by name, in any order and any case.
 */
import { parseCsvHeader } from './csv-row.js';
import { THREATFOX_NAMES } from './threatfox-record.js';

/**
 * True when a header line, without its leading `#`, names a column for the indicator value
 * (`ioc_value`, or `ioc` as the API names it) and one for `ioc_type`, quoted or not.
 */
export function namesRequiredColumns(header: string): boolean {
  // Most comment lines (banner, trailer) name no column, and this test is cheaper than parsing.
  if (!/ioc/i.test(header)) return false;
  const fields = new Set(parseCsvHeader(header).map((name) => THREATFOX_NAMES[name.toLowerCase()]));
  return fields.has('value') && fields.has('type');
}

/**
 * True when a `#` comment line, without its `#`, is a commented header: it starts with a
 * `first_seen` column as the export writes it, or names the required columns. A header that
 * starts with `first_seen` but lacks a required column still counts, so the reader reports the
 * missing column by name.
 */
export function isCommentedHeader(body: string): boolean {
  return /^"?first_seen/i.test(body) || namesRequiredColumns(body);
}
