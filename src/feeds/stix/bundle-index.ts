/**
 * Lookups over the objects of one STIX bundle: which malware an indicator indicates, which
 * reports list it, and who created it.
 */
import type { MalwareFamily } from '../../indicators/model.js';
import { objectList, stringField, type JsonObject } from '../json-document.js';

export interface BundleIndex {
  byId: ReadonlyMap<string, JsonObject>;
  /** Target ids of `indicates` relationships, by indicator id, in file order. */
  indicates: ReadonlyMap<string, string[]>;
  /** How many `indicates` relationships point at each target; the busiest one is the main family. */
  indicatedCount: ReadonlyMap<string, number>;
  /** Reports whose `object_refs` list an object, by object id. */
  reportsByObject: ReadonlyMap<string, JsonObject[]>;
}

/** Builds the lookups for a list of STIX objects. */
export function indexBundle(objects: readonly JsonObject[]): BundleIndex {
  const byId = new Map<string, JsonObject>();
  const indicates = new Map<string, string[]>();
  const indicatedCount = new Map<string, number>();
  const reportsByObject = new Map<string, JsonObject[]>();
  for (const object of objects) {
    const id = stringField(object.id);
    if (id) byId.set(id, object);
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
  return { byId, indicates, indicatedCount, reportsByObject };
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
