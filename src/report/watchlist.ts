/**
 * Indicator lists too long to inline in a query, written as CSV files for upload as Microsoft
 * Sentinel watchlists.
 */
import type { IocCell, IocTable } from '../compile/ir.js';

/** A watchlist file of a pack and the hunts that read it. */
export interface PackWatchlist {
  /** Watchlist alias the queries name in `_GetWatchlist`. */
  alias: string;
  /** Path relative to the pack folder, such as `watchlists/remcos_domain.csv`. */
  file: string;
  /** Column to choose as the watchlist's SearchKey when uploading. */
  searchKey: string;
  rows: number;
  huntIds: string[];
  csv: string;
}

/**
 * Largest watchlist content that can be uploaded directly; larger lists go through an Azure
 * Storage SAS URI, up to 500 MB (Azure CLI reference of `az sentinel watchlist create`).
 */
export const WATCHLIST_UPLOAD_LIMIT_BYTES = 3.8 * 1024 * 1024;

function csvField(cell: IocCell): string {
  if (cell === null) return '';
  const text = cell instanceof Date ? cell.toISOString() : String(cell);
  // RFC 4180: quote every field and double the quotes inside, so commas and line breaks stay data.
  return `"${text.replace(/"/g, '""')}"`;
}

/** Writes an indicator table as CSV with a header row of its column names. */
export function watchlistCsv(table: IocTable): string {
  const lines = [table.columns.map((column) => column.name).join(',')];
  for (const row of table.rows) {
    lines.push(table.columns.map((_, index) => csvField(row[index] ?? null)).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** Returns a watchlist alias made of letters, digits and underscores only. */
export function watchlistAlias(packSlug: string, variant: string): string {
  return `huntpack_${packSlug}_${variant}`.replace(/[^A-Za-z0-9_]/g, '_');
}
