/**
 * Folder names for malware families: lower-case ASCII words joined by hyphens.
 */

/** Letters that Unicode NFKD does not split into an ASCII letter and a combining mark. */
const LETTER_SPELLINGS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/** Device names that Windows reserves in every folder, with or without an extension. */
const WINDOWS_RESERVED = new Set([
  'con',
  'prn',
  'aux',
  'nul',
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((n) => [`com${n}`, `lpt${n}`]),
]);

const MAX_SLUG_LENGTH = 64;

/**
 * Returns a stable kebab-case ASCII name for a family, for folder and hunt names:
 * `Cobalt Strike` becomes `cobalt-strike` and `Lumma Stealer` becomes `lumma-stealer`. Accents
 * are removed, other characters separate words, and the result has at most 64 characters.
 *
 * The result is never empty and is a valid folder name on Windows, macOS and Linux. A name with
 * no ASCII letter or digit becomes `family-` and an FNV-1a hash of the name. A Windows device
 * name such as `con` gets `-family` appended.
 */
export function familySlug(name: string): string {
  const folded = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[ßæœøđðłþı]/g, (letter) => LETTER_SPELLINGS[letter] ?? '');
  let slug = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length > MAX_SLUG_LENGTH) slug = slug.slice(0, MAX_SLUG_LENGTH).replace(/-+$/, '');
  if (slug === '') return `family-${fnv1a(name)}`;
  return WINDOWS_RESERVED.has(slug) ? `${slug}-family` : slug;
}

/** Returns the 32-bit FNV-1a hash of the UTF-16 code units of `text`, as 8 hex digits. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
