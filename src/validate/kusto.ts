/**
 * Checks KQL text with Microsoft's Kusto parser against the Sentinel or Defender table schemas,
 * so that a query naming a missing table or column, or with a syntax error, is caught before an
 * analyst pastes it.
 */
import { kqlIdentifier } from '../backends/kql/kql.escape.js';
import { getPlatformSchemas, type Platform } from '../pipeline/schemas.js';
import { CharKind, closingBracket, scanKql } from './lint/kql-scan.js';
import {
  loadKusto,
  toArray,
  type KustoGlobalState,
  type KustoLanguage,
  type KustoSymbol,
} from './kusto-bridge.js';

export type KqlSeverity = 'error' | 'warning' | 'info';

/** One finding of the Kusto parser, with offsets into the checked text. */
export interface KqlDiagnostic {
  /** `error` and `warning` as the parser reports them; its suggestions and information are `info`. */
  severity: KqlSeverity;
  /** The parser's diagnostic code, such as `KS142` for an unknown name. */
  code: string;
  message: string;
  /** Offset of the first character, in UTF-16 code units from the start of the text. */
  start: number;
  /** Offset just past the last character; equal to `start` for a zero-length diagnostic. */
  end: number;
  /** 1-based line of `start`. CRLF, LF and a lone CR each end a line. */
  line: number;
  /** 1-based column of `start`, in UTF-16 code units. */
  column: number;
}

export interface KqlCheckOptions {
  /** Platform whose table schemas the query may use. */
  platform: Platform;
  /**
   * Whether to run the parser's analyzers too, which warn about query patterns such as a `join`
   * without `kind=`. Default true.
   */
  analyzers?: boolean;
}

const globalsByPlatform = new Map<Platform, KustoGlobalState>();

/**
 * Builds the parser's global state for a platform once and caches it: one database containing a
 * table symbol per schema in `data/schemas`.
 */
function getGlobals(platform: Platform): KustoGlobalState {
  const cached = globalsByPlatform.get(platform);
  if (cached) return cached;

  const kusto = loadKusto();
  const tables = getPlatformSchemas(platform).map((schema) => {
    const columns = schema.columns.map((column) => `${kqlIdentifier(column.name)}:${column.type}`);
    return new kusto.Symbols.TableSymbol.$ctor7(schema.name, `(${columns.join(', ')})`, null);
  });
  const functions = platform === 'sentinel' ? [sentinelWatchlistFunction(kusto)] : [];
  const database = new kusto.Symbols.DatabaseSymbol.$ctor3(
    platform,
    null,
    [...tables, ...functions],
    false,
  );
  const globals = kusto.GlobalState.Default.WithDatabase(database);
  globalsByPlatform.set(platform, globals);
  return globals;
}

/**
 * Sentinel's `_GetWatchlist(alias)` function. Its rows carry each watchlist item as the dynamic
 * `WatchlistItem` bag beside `_DTItemId`, `LastUpdatedTimeUTC` and `SearchKey`; the columns of
 * the item itself differ per watchlist, so queries read them from the bag.
 */
function sentinelWatchlistFunction(kusto: KustoLanguage): KustoSymbol {
  return new kusto.Symbols.FunctionSymbol.$ctor16(
    '_GetWatchlist',
    '(watchlistAlias:string)',
    '{ datatable(_DTItemId:string, LastUpdatedTimeUTC:datetime, SearchKey:string, WatchlistItem:dynamic)[] }',
    null,
  );
}

const SEVERITIES: Record<string, KqlSeverity> = { Error: 'error', Warning: 'warning' };

/**
 * Parses and analyzes `text` with the Kusto parser and returns every diagnostic, errors and
 * warnings alike: the parser's in its order, then the analyzers'. An empty result means the
 * query compiles against the platform's schemas.
 *
 * The text may contain several statements (`let x = 1; T | take x`), `//` comments and a trailing
 * `;`, as the parser allows. The first call loads the parser and warms it up, which took about
 * 6 s on an idle 2-CPU machine under Node 20. Later checks of a hunt took 5 to 50 ms there, and
 * the time grows with the number of literals: an `in` list of 5,000 strings took 5 s.
 */
// NOTE: Kusto.Language 12.4.1 reports nothing for a comparison of a string column with a number
// (`RemoteIP == 1`) or for an invalid regular expression, so such queries pass this check.
export function checkKql(text: string, options: KqlCheckOptions): KqlDiagnostic[] {
  const kusto = loadKusto();
  const code = kusto.KustoCode.ParseAndAnalyze(text, getGlobals(options.platform));
  const found = toArray(code.GetDiagnostics());
  if (options.analyzers ?? true) {
    const service = new kusto.Editor.KustoCodeService.ctor(code);
    // A loop, because push(...list) overflows the call stack at roughly 100,000 elements.
    for (const diagnostic of toArray(service.GetAnalyzerDiagnostics(true))) found.push(diagnostic);
  }

  const lineStarts = findLineStarts(text);
  const watchlists = options.platform === 'sentinel' ? watchlistScopes(text) : [];
  return found.map((diagnostic) => {
    const start = diagnostic.Start;
    const { line, column } = offsetToLineColumn(lineStarts, start);
    const result: KqlDiagnostic = {
      severity: SEVERITIES[diagnostic.Severity] ?? 'info',
      code: diagnostic.Code,
      message: diagnostic.Message,
      start,
      end: start + diagnostic.Length,
      line,
      column,
    };
    const inWatchlist = watchlists.some(([from, to]) => start >= from && start < to);
    if (result.code === UNKNOWN_COLUMN && result.severity === 'error' && inWatchlist) {
      result.severity = 'warning';
      result.message +=
        ' It follows _GetWatchlist, whose rows also carry the columns of the watchlist itself, ' +
        'which only the workspace knows: check that the watchlist has this column.';
    }
    return result;
  });
}

/** Kusto's code for a name that refers to no known column. */
const UNKNOWN_COLUMN = 'KS142';

/**
 * Returns the ranges of `text` that read the rows of a `_GetWatchlist(...)` call: from the call
 * to the end of its statement (`;`) or of the parentheses around it. The subqueries that `join`,
 * `lookup` or `union` bring in read their own tables, so they are left out. Sentinel gives the
 * watchlist's rows the watchlist's own columns beside SearchKey and WatchlistItem, and no schema
 * here has them. Strings and comments are skipped.
 */
function watchlistScopes(text: string): Array<[number, number]> {
  if (!text.includes('_GetWatchlist')) return [];
  const scanned = scanKql(text);
  const code = (index: number): boolean => scanned.kinds[index] === CharKind.Code;
  const scopes: Array<[number, number]> = [];
  const call = /_GetWatchlist\s*\(/g;
  for (let match = call.exec(text); match; match = call.exec(text)) {
    if (!code(match.index)) continue;
    let from = match.index;
    let depth = 0;
    let end = text.length;
    // Depth 0 is the pipeline of the call, from its own `(` on.
    for (let index = match.index + match[0].length - 1; index < text.length; index++) {
      if (!code(index)) continue;
      const char = text[index];
      if (char === '(' && depth === 0 && SUBQUERY_BEFORE.test(text.slice(from, index))) {
        // A subquery of another table leaves the scope until its closing bracket.
        scopes.push([from, index]);
        index = closingBracket(scanned, index + 1);
        from = index + 1;
      } else if (char === '(') {
        depth++;
      } else if (char === ')' && --depth < 0) {
        end = index;
        break;
      } else if (char === ';' && depth === 0) {
        end = index;
        break;
      }
    }
    scopes.push([from, end]);
  }
  return scopes;
}

/** Text before a `(` that opens a subquery: `join`, `lookup` or `union` and their options. */
const SUBQUERY_BEFORE = /\b(?:join|lookup|union)\b[^|()]*$/;

/** Returns the offset where each line begins. CRLF, LF and a lone CR each end a line. */
export function findLineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (char === 0x0d && text.charCodeAt(index + 1) === 0x0a) index++;
    if (char === 0x0a || char === 0x0d) starts.push(index + 1);
  }
  return starts;
}

/** Converts an offset to a 1-based line and column, given the result of {@link findLineStarts}. */
export function offsetToLineColumn(
  lineStarts: readonly number[],
  offset: number,
): { line: number; column: number } {
  // Binary search for the last line start at or before the offset.
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
}
