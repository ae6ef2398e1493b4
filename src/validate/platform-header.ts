/**
 * Reads the `// Platform:` header comment that names the platform of every query huntpack
 * writes, so that `check` and `lint` test each query against the schemas it was written for.
 */
import type { Platform } from '../pipeline/schemas.js';

/** A `// Platform: NAME` line found in a query's header. */
export interface PlatformHeader {
  /** The name as written, without surrounding white space. */
  value: string;
  /** Offset of the name in the query text. */
  offset: number;
  /** The platform the name denotes, or undefined when it matches no known platform. */
  platform: Platform | undefined;
}

/** A `// Platform: NAME` comment line, as in the header of every query huntpack writes. */
const PLATFORM_LABEL = /^[ \t]*\/\/[ \t]*Platform[ \t]*:[ \t]*/i;

/**
 * Finds the `// Platform:` line among the comment and blank lines before the query's first
 * token. A Platform comment after the first token is not a header and is ignored.
 */
export function readPlatformHeader(query: string): PlatformHeader | undefined {
  const lineBreak = /\r\n|\n|\r/g;
  let start = 0;
  for (;;) {
    const match = lineBreak.exec(query);
    const line = query.slice(start, match ? match.index : query.length);
    if (!/^\s*(\/\/.*)?$/.test(line)) return undefined;
    const label = PLATFORM_LABEL.exec(line);
    if (label) {
      const value = line.slice(label[0].length).trimEnd();
      return { value, offset: start + label[0].length, platform: platformFromName(value) };
    }
    if (!match) return undefined;
    start = lineBreak.lastIndex;
  }
}

/** Builds the warning text for a Platform header whose name is of no known platform. */
export function unknownPlatformMessage(value: string): string {
  return (
    `Unknown platform ${JSON.stringify(value)} in the Platform comment: expected ` +
    'Microsoft Sentinel or Defender XDR advanced hunting. The query was checked against the ' +
    'Sentinel schemas; pass --platform to choose.'
  );
}

/**
 * Maps a platform name to a platform: `Microsoft Sentinel`, or `Defender XDR advanced hunting`
 * and other names of Microsoft Defender advanced hunting. Returns undefined for any other name.
 */
function platformFromName(value: string): Platform | undefined {
  const sentinel = /\bsentinel\b/i.test(value);
  const defender = /\bdefender\b|\badvanced hunting\b/i.test(value);
  if (sentinel === defender) return undefined;
  return sentinel ? 'sentinel' : 'defender';
}
