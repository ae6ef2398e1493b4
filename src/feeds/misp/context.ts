/**
 * Context from MISP tags, galaxies and timestamps: family, ATT&CK techniques, threat actor,
 * TLP and first and last seen.
 */
import type { MalwareFamily } from '../../indicators/model.js';
import { stringField, type JsonObject } from '../json-document.js';
import { listEntries, type InvalidEntry } from './entries.js';

/**
 * Galaxy types that name a malware family, most specific first. When an event names several
 * families (the CIRCL Qakbot event has banker "Qakbot" and tool "Emotet"), the first type here
 * wins and the others are kept as `malware:` tags.
 */
const FAMILY_GALAXIES = [
  'malpedia',
  'ransomware',
  'banker',
  'rat',
  'stealer',
  'backdoor',
  'botnet',
  'android',
  'exploit-kit',
  'tool',
];

const GALAXY_TAG = /^misp-galaxy:([a-z0-9-]+)="(.*)"$/i;
const ATTACK_ID = /\b(T\d{4}(?:\.\d{3})?)\b/;

/** Tags and family candidates from the tags and galaxies of one event, object or attribute. */
export interface TagContext {
  /** Tag names, trimmed, with TLP tags lower-cased (`" TLP:WHITE"` becomes `tlp:white`). */
  tags: string[];
  /** Family candidates as `[galaxy type, name, aliases]`, in the order found. */
  families: [string, string, string[]][];
}

/** Receives an entry of a Tag, Galaxy or GalaxyCluster list that is not an object. */
export type InvalidTagEntry = (
  entry: InvalidEntry,
  code: 'MISP_INVALID_TAG' | 'MISP_INVALID_GALAXY',
) => void;

/**
 * Collects tags and galaxy clusters of one MISP element (event, object or attribute). `path` is
 * the element's place in its event (empty for the event itself), and entries that are not
 * objects go to `onInvalid` with their place.
 */
export function readTags(
  element: JsonObject,
  path = '',
  onInvalid: InvalidTagEntry = () => {},
): TagContext {
  const tags: string[] = [];
  const families: TagContext['families'] = [];
  const prefix = path === '' ? '' : `${path}.`;
  const tagEntries = listEntries(element.Tag, `${prefix}Tag`, 'tag object');
  for (const entry of tagEntries.invalid) onInvalid(entry, 'MISP_INVALID_TAG');
  for (const { object: tag } of tagEntries.objects) {
    const name = normalizeTag(tag.name);
    if (!name) continue;
    tags.push(name);
    const galaxy = GALAXY_TAG.exec(name);
    if (galaxy?.[1] && galaxy[2])
      addGalaxyValue(galaxy[1].toLowerCase(), galaxy[2], [], tags, families);
  }
  const galaxies = listEntries(element.Galaxy, `${prefix}Galaxy`, 'galaxy object');
  for (const entry of galaxies.invalid) onInvalid(entry, 'MISP_INVALID_GALAXY');
  for (const { object: galaxy, path: galaxyPath } of galaxies.objects) {
    const type = stringField(galaxy.type)?.toLowerCase() ?? '';
    const clusters = listEntries(
      galaxy.GalaxyCluster,
      `${galaxyPath}.GalaxyCluster`,
      'galaxy cluster object',
    );
    for (const entry of clusters.invalid) onInvalid(entry, 'MISP_INVALID_GALAXY');
    for (const { object: cluster } of clusters.objects) {
      const value = stringField(cluster.value);
      if (value) addGalaxyValue(type, value, synonyms(cluster), tags, families);
    }
  }
  return { tags: uniqueTags(tags), families };
}

function addGalaxyValue(
  type: string,
  value: string,
  aliases: string[],
  tags: string[],
  families: TagContext['families'],
): void {
  if (FAMILY_GALAXIES.includes(type)) families.push([type, value, aliases]);
  else if (type === 'threat-actor') tags.push(`actor:${value}`);
  else if (type.startsWith('mitre-')) {
    const technique = ATTACK_ID.exec(value)?.[1];
    if (technique) tags.push(`attack:${technique}`);
  }
}

function synonyms(cluster: JsonObject): string[] {
  const meta = cluster.meta;
  if (typeof meta !== 'object' || meta === null) return [];
  const list = (meta as JsonObject).synonyms;
  return Array.isArray(list) ? list.map(stringField).filter((name): name is string => !!name) : [];
}

/** Trims a tag name and lower-cases TLP tags, whose spelling varies between producers. */
export function normalizeTag(name: unknown): string | undefined {
  const trimmed = stringField(name);
  if (!trimmed) return undefined;
  return /^tlp:/i.test(trimmed) ? trimmed.toLowerCase() : trimmed;
}

/** Joins tag lists, dropping repeats that differ only in case. */
export function uniqueTags(tags: string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((tag) => {
    const key = tag.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Chooses the family from candidates found on the attribute first, then its object, then the event. */
export function chooseFamily(candidates: TagContext['families'][]): {
  family?: MalwareFamily;
  others: string[];
} {
  for (const level of candidates) {
    const ranked = [...level].sort(
      (a, b) => FAMILY_GALAXIES.indexOf(a[0]) - FAMILY_GALAXIES.indexOf(b[0]),
    );
    const [first, ...rest] = ranked;
    if (!first) continue;
    const [, name, aliases] = first;
    const others = rest.map(([, other]) => other).filter((other) => other !== name);
    const family: MalwareFamily = {
      name,
      aliases: aliases.filter((alias) => alias.toLowerCase() !== name.toLowerCase()),
    };
    return { family, others: [...new Set(others)] };
  }
  return { others: [] };
}

/**
 * Reads a MISP time: epoch seconds (as a number or a digit string), an ISO 8601 time, or a
 * `YYYY-MM-DD` date, which is taken as midnight UTC.
 */
export function readMispTime(value: unknown): Date | undefined {
  let date: Date | undefined;
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
    date = new Date(Number(value) * 1000);
  } else if (typeof value === 'string' && value.trim() !== '') {
    const text = value.trim();
    date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  }
  return date && !Number.isNaN(date.getTime()) && date.getTime() > 0 ? date : undefined;
}
