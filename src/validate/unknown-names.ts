/**
 * Rewrites the Kusto parser's unknown-name errors for hand-written queries. huntpack has schemas
 * for a few tables only, so a real Sentinel table such as SecurityEvent, or an ASIM parser
 * function such as `_Im_NetworkSession`, is unknown to the parser. Such a name becomes a warning
 * that its columns were not checked, and a name close to a known one stays an error that names
 * the known one. The build's check of generated queries does not use this: a generated query
 * that names an unknown table still fails.
 */
import { DEFENDER_TABLES, SENTINEL_TABLES, type Platform } from '../pipeline/schemas.js';
import type { KqlDiagnostic } from './kusto.js';
import { editDistance } from '../edit-distance.js';

/** Kusto's code for a name that is no known table, tabular variable or function. */
const UNKNOWN_TABLE_CODE = 'KS204';
/** Kusto's code for a call of an unknown function. */
const UNKNOWN_FUNCTION_CODE = 'KS211';

/** ASIM parser functions (`_Im_…`, `_ASim_…`, `im…`, `ASim…`) and Sentinel's `_…` functions. */
const WORKSPACE_FUNCTION = /^(?:_|im[A-Z]|ASim[A-Z])/;

/**
 * Maximum edit distance at which an unknown name counts as a misspelling of a known one, and the
 * larger one for names of at least {@link LONG_NAME} characters. No real Sentinel or Defender
 * table that huntpack lacks is this close to one it has (DeviceNetworkInfo is 5 edits from
 * DeviceNetworkEvents, AZFWNatRule 5 from AZFWNetworkRule).
 */
const MAX_TYPO_DISTANCE = 2;
const MAX_LONG_TYPO_DISTANCE = 3;
const LONG_NAME = 12;

/**
 * Returns the diagnostics with KS204 and KS211 rewritten as the file header describes. Other
 * diagnostics are returned unchanged.
 */
export function reviewUnknownNames(
  query: string,
  diagnostics: readonly KqlDiagnostic[],
  platform: Platform,
): KqlDiagnostic[] {
  return diagnostics.map((diagnostic) => {
    if (diagnostic.code === UNKNOWN_TABLE_CODE) return reviewTable(query, diagnostic, platform);
    if (diagnostic.code === UNKNOWN_FUNCTION_CODE) return reviewFunction(query, diagnostic);
    return diagnostic;
  });
}

function reviewTable(query: string, diagnostic: KqlDiagnostic, platform: Platform): KqlDiagnostic {
  const name = query.slice(diagnostic.start, diagnostic.end);
  if (!/^[A-Za-z_][\w]*$/.test(name)) return diagnostic;

  const known: readonly string[] = platform === 'sentinel' ? SENTINEL_TABLES : DEFENDER_TABLES;
  const other: readonly string[] = platform === 'sentinel' ? DEFENDER_TABLES : SENTINEL_TABLES;
  if (other.includes(name)) {
    const otherName = platform === 'sentinel' ? 'Defender advanced hunting' : 'Sentinel';
    const message = `${diagnostic.message} ${name} is a ${otherName} table, but this query is checked against the ${platform} schemas: fix its "// Platform:" comment or pass --platform.`;
    return { ...diagnostic, message };
  }
  const near = findNearName(name, [...known, ...findLetNames(query)]);
  if (near) return { ...diagnostic, message: `${diagnostic.message} Did you mean ${near}?` };

  return {
    ...diagnostic,
    severity: 'warning',
    code: 'NO_SCHEMA',
    message: `huntpack has no schema for '${name}', so it did not check the columns this query reads from it. If ${name} is not a table or function in your workspace, check its spelling. Tables with a schema: ${known.join(', ')}.`,
  };
}

function reviewFunction(query: string, diagnostic: KqlDiagnostic): KqlDiagnostic {
  const name = query.slice(diagnostic.start, diagnostic.end);
  if (!WORKSPACE_FUNCTION.test(name) && !startsStatement(query, diagnostic.start)) {
    return diagnostic;
  }
  return {
    ...diagnostic,
    severity: 'warning',
    code: 'NO_SCHEMA',
    message: `huntpack has no schema for the function '${name}' (such as an ASIM parser or a workspace function), so it did not check the columns this query reads from it. If ${name} is not a function in your workspace, check its spelling.`,
  };
}

/** Tells whether only white space, `//` comments or a `;` precede `offset` in its statement. */
function startsStatement(query: string, offset: number): boolean {
  const before = query
    .slice(0, offset)
    .replace(/\/\/[^\r\n]*/g, '')
    .trimEnd();
  return before === '' || before.endsWith(';');
}

/** Returns the names that `let` statements bind in the query. */
function findLetNames(query: string): string[] {
  return [...query.matchAll(/\blet\s+([A-Za-z_]\w*)\s*=/g)].map((match) => match[1] ?? '');
}

/** Returns the candidate nearest to `name` within the typo distance for its length, ignoring case. */
export function findNearName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = (name.length >= LONG_NAME ? MAX_LONG_TYPO_DISTANCE : MAX_TYPO_DISTANCE) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance && candidate !== name) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
