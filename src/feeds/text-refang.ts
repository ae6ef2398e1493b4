/**
 * Refangs one line of free text, keeping track of which characters came from a defang marker.
 *
 * Only these forms are refanged, because anything looser turns prose into indicators:
 * - a dot: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}`, with optional spaces inside the
 *   brackets. Spaces around the word form are removed (`evil [dot] com`). Spaces on one side of
 *   a symbol form are removed when a name touches its other side (`evil[.] com`, `evil [.]com`).
 *   With spaces on both sides (`with [.] in`) the symbol may stand alone in prose, such as a
 *   legend that explains defanging, so it becomes a dot with its spaces kept, and
 *   `text-defang-suspects.ts` reports a name that it may split. A bare ` dot ` is left alone,
 *   so `dotnet.com` and `polkadot.network` stay as written.
 * - a Markdown-escaped dot (`evil\.com`) between two labels, unless a backslash comes before
 *   the label (`%APPDATA%\Microsoft\.NET` is a path). A Markdown escape is no defang, so it
 *   does not set `defangedOnPurpose`.
 * - a scheme: `hxxp`, `hXXp`, `h**p`, `h__p` and their `s` forms (any case), when a colon or
 *   `[:` follows. `fxp`
 *   and `fxps` become ftp and ftps only when `://` follows in one of the forms below, because
 *   FXP is also the name of server-to-server FTP transfers.
 * - separators: `[:]//`, `[://]`, `:[//]`, `[:]` (ports, IPv6 groups), `[@]`, `[/]`.
 * - an extra dot next to a bracketed one (`195.226.218.[.]234`), which becomes one dot and a
 *   warning, since the writer evidently meant a single dot.
 */

export interface RefangedLine {
  /** The line with every defang marker replaced. */
  text: string;
  /** For each character of `text`, whether it came from a defang marker. */
  defanged: boolean[];
  /** Malformed markers that were repaired, as written, such as `.[.]`. */
  repaired: string[];
  /**
   * Whether a marker other than `fxp` was refanged. A `fxp://` URL may be the FXP scheme
   * written as is, so it alone does not show that the writer defanged the text.
   */
  defangedOnPurpose: boolean;
}

/** A dot written as a symbol in brackets, with optional spaces inside them. */
const DOT_SYMBOL = String.raw`\[\s*\.\s*\]|\(\s*\.\s*\)|\{\s*\.\s*\}`;

/**
 * One alternative per marker form. The order matters: the extra-dot forms come before `[.]`, and
 * the dot forms with spaces around them come before the bare ones.
 */
const MARKER_PATTERN = new RegExp(
  [
    String.raw`(?<extraDot>\.\[\.\]|\[\.\]\.)`,
    // The look-behind starts the leading spaces only where a run of them starts: tried at each
    // space of a long run, they would make the search quadratic in the run's length.
    String.raw`(?<dotWord>(?<!\s)\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\})\s*)`,
    // A name touches the marker on one side, so the spaces on its other side are a typo.
    String.raw`(?<spacedDot>(?<=[\w-])\s+(?:${DOT_SYMBOL})(?=[\w-])|(?<=[\w-])(?:${DOT_SYMBOL})\s+(?=[\w-]))`,
    String.raw`(?<dot>${DOT_SYMBOL})`,
    // The label before the escape must not follow a backslash, which would make it a path. The
    // look-behinds come after the backslash, so that they run only where one is found: tried at
    // each letter of a long word, they would make the search quadratic in the word's length.
    String.raw`(?<escapedDot>\\(?<=[\w-]\\)(?<!\\[\w-]*\\)\.(?=[\w-]))`,
    String.raw`(?<scheme>\bh(?:xx|\*\*|__)p(?<secure>s?)(?=\[?:|\[:\/\/\]))`,
    String.raw`(?<ftpScheme>\bfxp(?<ftpSecure>s?)(?=(?:\[:\]|:)(?:\/\/|\[\/\/\])|\[:\/\/\]))`,
    String.raw`(?<schemeSeparator>\[:\/\/\]|:\[\/\/\])`,
    String.raw`(?<colon>\[:\])`,
    String.raw`(?<slash>\[\/\])`,
    String.raw`(?<at>\[@\])`,
  ].join('|'),
  'gi',
);

/** Returns the replacement for one marker match, or undefined to keep the match as written. */
function replaceMarker(groups: Record<string, string | undefined>): string | undefined {
  if (groups.extraDot !== undefined) return '.';
  if (groups.dotWord !== undefined) return '.';
  if (groups.dot !== undefined) return '.';
  if (groups.spacedDot !== undefined) return '.';
  if (groups.escapedDot !== undefined) return '.';
  if (groups.scheme !== undefined) return groups.secure ? 'https' : 'http';
  if (groups.ftpScheme !== undefined) return groups.ftpSecure ? 'ftps' : 'ftp';
  if (groups.schemeSeparator !== undefined) return '://';
  if (groups.colon !== undefined) return ':';
  if (groups.slash !== undefined) return '/';
  if (groups.at !== undefined) return '@';
  return undefined;
}

/** Refangs one line; see the file comment for the forms it accepts. */
export function refangLine(line: string): RefangedLine {
  let text = '';
  const defanged: boolean[] = [];
  const repaired: string[] = [];
  let defangedOnPurpose = false;
  let last = 0;

  for (const match of line.matchAll(MARKER_PATTERN)) {
    const replacement = replaceMarker(match.groups ?? {});
    if (replacement === undefined) continue;

    const plain = line.slice(last, match.index);
    text += plain;
    for (let i = 0; i < plain.length; i++) defanged.push(false);

    text += replacement;
    for (let i = 0; i < replacement.length; i++) defanged.push(true);
    if (match.groups?.extraDot !== undefined) repaired.push(match[0]);
    const onPurpose =
      match.groups?.ftpScheme === undefined && match.groups?.escapedDot === undefined;
    if (onPurpose) defangedOnPurpose = true;
    last = match.index + match[0].length;
  }

  const rest = line.slice(last);
  text += rest;
  for (let i = 0; i < rest.length; i++) defanged.push(false);
  return { text, defanged, repaired, defangedOnPurpose };
}

/** Returns true when any character in `[start, end)` came from a defang marker. */
export function spanIsDefanged(line: RefangedLine, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (line.defanged[i]) return true;
  }
  return false;
}
