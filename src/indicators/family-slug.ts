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

/** A family that needs a pack folder: its family key, printable name and Malpedia id. */
export interface FolderCandidate {
  key: string;
  name: string;
  malpedia?: string;
}

/**
 * Returns how closely a family matches its folder name `slug`, as a pair of ranks where lower
 * is closer. The first rank compares the printable name: 0 when it equals the slug ignoring
 * case (`Remcos` for `remcos`), 1 when only its word separators differ (`Cobalt Strike`), and 2
 * for other differences, such as punctuation (`Remcos!`) or accents. The second rank compares
 * the Malpedia id after its platform: 0 when it equals the slug with `_` for `-`
 * (`win.cobalt_strike`), 1 for another id and 2 for none.
 */
export function folderNameRank(
  family: Omit<FolderCandidate, 'key'>,
  slug: string,
): [number, number] {
  const name = family.name.normalize('NFC').toLowerCase();
  let nameRank = 2;
  if (name === slug) nameRank = 0;
  else if (name.replace(/[\s_.-]+/g, '-') === slug) nameRank = 1;
  let idRank = 2;
  if (family.malpedia !== undefined) {
    const id = family.malpedia.toLowerCase();
    const dot = id.indexOf('.');
    idRank = id.slice(dot + 1).replace(/_/g, '-') === slug ? 0 : 1;
  }
  return [nameRank, idRank];
}

/** Families that fold to one folder name, closest first (see {@link folderNameRank}). */
export interface FolderCollision {
  slug: string;
  /** The families with their folders. The first has the folder `slug` itself. */
  families: Array<FolderCandidate & { folder: string }>;
}

export interface FolderAssignment {
  /** Folder name by family key. */
  folders: Map<string, string>;
  collisions: FolderCollision[];
}

/**
 * Gives each family a distinct folder name that does not depend on the order of the families.
 * Each family's folder is its {@link familySlug}. When several families fold to one slug, the
 * closest by {@link folderNameRank} gets it, with ties broken by family key, and the others get
 * `-2`, `-3` and so on, skipping every name that another family's slug takes.
 */
export function assignFolderNames(candidates: readonly FolderCandidate[]): FolderAssignment {
  const bySlug = new Map<string, FolderCandidate[]>();
  for (const candidate of candidates) {
    const slug = familySlug(candidate.name);
    const group = bySlug.get(slug);
    if (group) group.push(candidate);
    else bySlug.set(slug, [candidate]);
  }
  const usedFolders = new Set(bySlug.keys());
  const folders = new Map<string, string>();
  const collisions: FolderCollision[] = [];
  for (const slug of [...bySlug.keys()].sort()) {
    const group = sortByFolderRank(bySlug.get(slug)!, slug);
    folders.set(group[0]!.key, slug);
    if (group.length === 1) continue;
    const collision: FolderCollision = { slug, families: [{ ...group[0]!, folder: slug }] };
    let suffix = 2;
    for (const candidate of group.slice(1)) {
      while (usedFolders.has(`${slug}-${suffix}`)) suffix += 1;
      const folder = `${slug}-${suffix}`;
      usedFolders.add(folder);
      folders.set(candidate.key, folder);
      collision.families.push({ ...candidate, folder });
    }
    collisions.push(collision);
  }
  return { folders, collisions };
}

/** Returns the families of one slug, closest first, with ties in order of family key and name. */
function sortByFolderRank(group: readonly FolderCandidate[], slug: string): FolderCandidate[] {
  const ranked = group.map((candidate) => ({ candidate, rank: folderNameRank(candidate, slug) }));
  ranked.sort(
    (a, b) =>
      a.rank[0] - b.rank[0] ||
      a.rank[1] - b.rank[1] ||
      compareCodePoints(a.candidate.key, b.candidate.key) ||
      compareCodePoints(a.candidate.name, b.candidate.name),
  );
  return ranked.map((entry) => entry.candidate);
}

function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
