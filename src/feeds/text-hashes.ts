/**
 * Finds file hashes in one refanged line of free text.
 */
import { accept, blank, drop, type LineScan, type MentionType } from './text-scan.js';

/**
 * Finds MD5, SHA-1 and SHA-256 hashes: whole runs of hex digits between characters that are not
 * letters or digits, of exactly 32, 40 or 64 digits. A longer run is never cut down to a shorter
 * hash. Runs of decimal digits only are dropped, since those are numbers, not digests.
 */
export function scanHashes(scan: LineScan): void {
  const hashTypes: Record<number, MentionType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
  // A run shorter than 32 digits is skipped here, not in the pattern, because V8 overflows the
  // stack on `[0-9A-Fa-f]{32,}` over a run of a few million digits (Node.js 20) but not on `+`.
  for (const match of scan.work.read().matchAll(/(?<![0-9A-Za-z])[0-9A-Fa-f]+(?![0-9A-Za-z])/g)) {
    if (match[0].length < 32) continue;
    const type = hashTypes[match[0].length];
    blank(scan, match.index, match.index + match[0].length);
    if (!type) drop(scan, 'unsupported-hex-length', match[0]);
    else if (/^\d+$/.test(match[0])) drop(scan, 'digits-only-hex', match[0]);
    else accept(scan, type, match[0], match.index);
  }
}
