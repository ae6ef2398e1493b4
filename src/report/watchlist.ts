/**
 * Indicator lists too long to inline in a query, written as CSV files for upload as Microsoft
 * Sentinel watchlists.
 */
import { createHash } from 'node:crypto';
import type { IocCell, IocTable } from '../compile/ir.js';
import { quoteCsvField } from './csv-field.js';
import { isoTime } from './iso-time.js';
import type { TextFileWriter } from './text-file-writer.js';

/** A watchlist file of a pack and the hunts that read it. */
export interface PackWatchlist {
  /** Watchlist alias the queries name in `_GetWatchlist`. */
  alias: string;
  /** Path relative to the pack folder, such as `watchlists/remcos_domain.csv`. */
  file: string;
  /** Column to choose as the watchlist's SearchKey when uploading. */
  searchKey: string;
  rows: number;
  /** Ids of the hunts that read the file: as a watchlist in Sentinel, or by `url` in Defender. */
  huntIds: string[];
  /** URL that Defender hunts read the file from with `externaldata`, when any does (`--list-url`). */
  url?: string;
  /** The indicators the file holds, written by {@link writeWatchlistCsv}. */
  table: IocTable;
}

/**
 * Largest watchlist content that can be uploaded directly; larger lists go through an Azure
 * Storage SAS URI, up to 500 MB (Azure CLI reference of `az sentinel watchlist create`).
 */
export const WATCHLIST_UPLOAD_LIMIT_BYTES = 3.8 * 1024 * 1024;

function csvField(cell: IocCell): string {
  if (cell === null) return '';
  // isoTime returns what toISOString returns, faster, and raises its RangeError for an invalid date.
  const text = cell instanceof Date ? isoTime(cell) : String(cell);
  return quoteCsvField(text);
}

/** Writes an indicator table as CSV with a header row of its column names and CRLF line ends. */
export function writeWatchlistCsv(table: IocTable, out: Pick<TextFileWriter, 'write'>): void {
  out.write(table.columns.map((column) => column.name).join(',') + '\r\n');
  const width = table.columns.length;
  for (const row of table.rows) {
    let line = '';
    for (let index = 0; index < width; index++) {
      if (index > 0) line += ',';
      line += csvField(row[index] ?? null);
    }
    out.write(line + '\r\n');
  }
}

/** Returns an indicator table as CSV text; see {@link writeWatchlistCsv}. */
export function watchlistCsv(table: IocTable): string {
  const parts: string[] = [];
  writeWatchlistCsv(table, {
    write: (text) => {
      parts.push(text);
    },
  });
  return parts.join('');
}

/**
 * Returns the alias of a list that an `--only-new` pack hunts: the full pack's alias followed by
 * the first 8 hex digits of the SHA-256 of the list's CSV text. The same list gets the same alias
 * in every run, so uploading it twice replaces nothing else.
 */
export function incrementAlias(packSlug: string, variant: string, table: IocTable): string {
  const digest = createHash('sha256');
  writeWatchlistCsv(table, { write: (text) => void digest.update(text) });
  return `${watchlistAlias(packSlug, variant)}_${digest.digest('hex').slice(0, 8)}`;
}

/** Returns a watchlist alias made of letters, digits and underscores only. */
export function watchlistAlias(packSlug: string, variant: string): string {
  return `huntpack_${packSlug}_${variant}`.replace(/[^A-Za-z0-9_]/g, '_');
}
