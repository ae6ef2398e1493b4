/**
 * Report wording for packs named after a threat group, and the summary rows that list the
 * campaigns, intrusion sets and threat actors that the STIX reader records in indicator tags.
 */
import type { Indicator, MalwareFamily, ThreatGroupKind } from '../indicators/model.js';

const GROUP_WORDS: Record<ThreatGroupKind, { singular: string; plural: string }> = {
  'intrusion-set': { singular: 'intrusion set', plural: 'Intrusion sets' },
  'threat-actor': { singular: 'threat actor', plural: 'Threat actors' },
  campaign: { singular: 'campaign', plural: 'Campaigns' },
};

/** Names listed in one summary row before the rest are counted. */
const SHOWN_NAMES = 10;

/** Returns what a pack is named after in words: `malware family`, `intrusion set`, `campaign`. */
export function familyKindWords(family: MalwareFamily): string {
  return family.kind === undefined ? 'malware family' : GROUP_WORDS[family.kind].singular;
}

/**
 * Returns the names of the groups that the indicators' tags record, such as
 * `intrusion-set:Boggy Serpens`, by group kind in the order of `GROUP_WORDS`, each name once.
 * The pack's own group is left out, and only kinds with at least one name are returned.
 */
export function threatGroupNames(
  indicators: Iterable<Indicator>,
  family: MalwareFamily,
): { label: string; names: string[] }[] {
  const byKind = new Map<ThreatGroupKind, Set<string>>();
  for (const kind of Object.keys(GROUP_WORDS) as ThreatGroupKind[]) byKind.set(kind, new Set());
  for (const indicator of indicators) {
    for (const tag of indicator.tags) {
      const colon = tag.indexOf(':');
      if (colon < 0) continue;
      const names = byKind.get(tag.slice(0, colon) as ThreatGroupKind);
      if (names !== undefined && colon + 1 < tag.length) names.add(tag.slice(colon + 1));
    }
  }
  if (family.kind !== undefined) byKind.get(family.kind)?.delete(family.name);
  const rows: { label: string; names: string[] }[] = [];
  for (const [kind, names] of byKind) {
    if (names.size > 0) rows.push({ label: GROUP_WORDS[kind].plural, names: [...names] });
  }
  return rows;
}

/** Returns `names` joined with commas, the first ten only, and a count of the rest. */
export function shortNameList(names: readonly string[]): string {
  const shown = names.slice(0, SHOWN_NAMES).join(', ');
  const more = names.length - SHOWN_NAMES;
  return more > 0 ? `${shown} and ${more} more` : shown;
}
