/**
 * Lookups over the objects of one STIX bundle: which malware or threat group an indicator
 * indicates, which reports list it, and who created it.
 */
import type { MalwareFamily, ThreatGroupKind } from '../../indicators/model.js';
import { objectList, stringField, type JsonObject } from '../json-document.js';

export interface BundleIndex {
  byId: ReadonlyMap<string, JsonObject>;
  /** Target ids of `indicates` relationships, by indicator id, in file order. */
  indicates: ReadonlyMap<string, string[]>;
  /** How many `indicates` relationships point at each target; the busiest one is the main family. */
  indicatedCount: ReadonlyMap<string, number>;
  /** Target ids of `attributed-to` relationships, by source id, in file order. */
  attributedTo: ReadonlyMap<string, string[]>;
  /** Reports whose `object_refs` list an object, by object id. */
  reportsByObject: ReadonlyMap<string, JsonObject[]>;
}

/** Builds the lookups for a list of STIX objects. */
export function indexBundle(objects: readonly JsonObject[]): BundleIndex {
  const byId = new Map<string, JsonObject>();
  const indicates = new Map<string, string[]>();
  const indicatedCount = new Map<string, number>();
  const attributedTo = new Map<string, string[]>();
  const reportsByObject = new Map<string, JsonObject[]>();
  for (const object of objects) {
    const id = stringField(object.id);
    if (id) byId.set(id, object);
    if (object.type === 'relationship' && object.relationship_type === 'attributed-to') {
      const source = stringField(object.source_ref);
      const target = stringField(object.target_ref);
      if (source && target) attributedTo.set(source, [...(attributedTo.get(source) ?? []), target]);
    }
    if (object.type === 'relationship' && object.relationship_type === 'indicates') {
      const source = stringField(object.source_ref);
      const target = stringField(object.target_ref);
      if (!source || !target) continue;
      const targets = indicates.get(source) ?? [];
      targets.push(target);
      indicates.set(source, targets);
      indicatedCount.set(target, (indicatedCount.get(target) ?? 0) + 1);
    }
    if (object.type === 'report' && Array.isArray(object.object_refs)) {
      for (const ref of object.object_refs) {
        if (typeof ref === 'string')
          reportsByObject.set(ref, [...(reportsByObject.get(ref) ?? []), object]);
      }
    }
  }
  return { byId, indicates, indicatedCount, attributedTo, reportsByObject };
}

/**
 * Returns the family an indicator indicates, and the names of other malware it also indicates.
 * With several malware objects, the one most indicators point at is the family (in the Poison
 * Ivy report, "Poison Ivy" rather than one of its variants). Tools count only when no malware is
 * linked.
 */
export function familyOfIndicator(
  index: BundleIndex,
  indicatorId: string,
): { family?: MalwareFamily; others: string[] } {
  const targets = (index.indicates.get(indicatorId) ?? [])
    .map((id) => index.byId.get(id))
    .filter((target): target is JsonObject => target !== undefined);
  const malware = targets.filter((target) => target.type === 'malware');
  const candidates =
    malware.length > 0 ? malware : targets.filter((target) => target.type === 'tool');
  const ranked = [...new Set(candidates)].sort(
    (a, b) =>
      (index.indicatedCount.get(String(b.id)) ?? 0) - (index.indicatedCount.get(String(a.id)) ?? 0),
  );
  const [main, ...rest] = ranked;
  const name = main && stringField(main.name);
  if (!main || !name) return { others: [] };
  const aliases = [...aliasList(main.aliases), ...aliasList(main.x_mitre_aliases)].filter(
    (alias, position, all) =>
      alias.toLowerCase() !== name.toLowerCase() && all.indexOf(alias) === position,
  );
  const others = rest
    .map((object) => stringField(object.name))
    .filter((other): other is string => !!other);
  return { family: { name, aliases }, others };
}

/** A campaign, intrusion set or threat actor that an indicator is tied to. */
export interface ThreatGroup {
  kind: ThreatGroupKind;
  name: string;
  aliases: string[];
}

/** Threat group kinds in the order in which one is preferred as a pack's name. */
const GROUP_PREFERENCE: readonly ThreatGroupKind[] = ['intrusion-set', 'threat-actor', 'campaign'];

/**
 * The `attributed-to` targets that STIX 2.1 defines for each group kind: a campaign is attributed
 * to an intrusion set or a threat actor, and an intrusion set to a threat actor. A threat actor is
 * attributed only to an identity, which is no group.
 */
const ATTRIBUTED_TO: Readonly<Record<ThreatGroupKind, readonly ThreatGroupKind[]>> = {
  campaign: ['intrusion-set', 'threat-actor'],
  'intrusion-set': ['threat-actor'],
  'threat-actor': [],
};

/**
 * Returns the campaigns, intrusion sets and threat actors that an indicator is tied to: those it
 * `indicates`, and those they are `attributed-to`, following the links that STIX 2.1 defines
 * from a campaign to an intrusion set to a threat actor. STIX 2.1 lets an indicator indicate a
 * campaign, intrusion set or threat actor as well as malware, and the Unit 42 playbooks
 * attribute their campaigns to intrusion sets this way. The list starts with the preferred pack
 * name: an intrusion set before a threat actor, then a campaign, each kind in the order found.
 * A group is listed once.
 *
 * NOTE: a report's `attributed-to` (which the Unit 42 playbooks write) is not followed, because
 * STIX 2.1 defines no relationships for a report besides its `object_refs`.
 */
export function threatGroupsOfIndicator(index: BundleIndex, indicatorId: string): ThreatGroup[] {
  const found: JsonObject[] = [];
  const add = (id: string): void => {
    const object = index.byId.get(id);
    if (!object || !isGroupKind(object.type) || found.includes(object)) return;
    found.push(object);
  };
  for (const targetId of index.indicates.get(indicatorId) ?? []) add(targetId);
  // `found` grows while it is walked, so a campaign's intrusion set leads on to its threat actor.
  // Each group is added once, so a loop of attributions ends.
  for (let position = 0; position < found.length; position++) {
    const group = found[position]!;
    const targets = ATTRIBUTED_TO[group.type as ThreatGroupKind];
    for (const attributedId of index.attributedTo.get(String(group.id)) ?? []) {
      const type = index.byId.get(attributedId)?.type;
      if (targets.includes(type as ThreatGroupKind)) add(attributedId);
    }
  }
  const groups: ThreatGroup[] = [];
  for (const kind of GROUP_PREFERENCE) {
    for (const object of found) {
      const name = stringField(object.name);
      if (object.type !== kind || !name) continue;
      const aliases = aliasList(object.aliases).filter(
        (alias, position, all) =>
          alias.toLowerCase() !== name.toLowerCase() && all.indexOf(alias) === position,
      );
      groups.push({ kind, name, aliases });
    }
  }
  return groups;
}

function isGroupKind(type: unknown): type is ThreatGroupKind {
  return GROUP_PREFERENCE.includes(type as ThreatGroupKind);
}

function aliasList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(stringField).filter((alias): alias is string => alias !== undefined);
}

/** Returns the URLs of an object's external references. */
export function externalUrls(object: JsonObject): string[] {
  return objectList(object.external_references)
    .map((reference) => stringField(reference.url))
    .filter((url): url is string => url !== undefined);
}

/** Returns the name of the identity that created an object, when the bundle contains that identity. */
export function creatorName(index: BundleIndex, object: JsonObject): string | undefined {
  const ref = stringField(object.created_by_ref);
  const identity = ref === undefined ? undefined : index.byId.get(ref);
  return identity ? stringField(identity.name) : undefined;
}
