/**
 * Walks the lists a MISP document nests (events, attributes, objects, tags, galaxies) so that an
 * entry that is not a JSON object is reported with its place instead of being left out without a
 * count. Places are written as JSON paths relative to the event, such as `Object[1].Attribute[0]`.
 */
import { describeJsonValue, isJsonObject, type JsonObject } from '../json-document.js';

/** A JSON object from a MISP list, with its place. */
export interface PlacedObject {
  object: JsonObject;
  path: string;
}

/** An entry of a MISP list, or a list field, that is not what MISP writes there. */
export interface InvalidEntry {
  path: string;
  /** The value found, described as in `the number 42` or `an array of 3 entries`. */
  found: string;
  /** The value MISP writes there, such as `an attribute object`. */
  expected: string;
}

/** The objects of one MISP list field, and its entries that are not objects. */
export interface ListEntries {
  objects: PlacedObject[];
  invalid: InvalidEntry[];
}

/**
 * Splits the list field at `path` into its objects and its other entries. An absent or null field
 * is an empty list. Any other value that is not an array is one invalid entry at `path`, because
 * MISP always writes these fields as lists.
 */
export function listEntries(value: unknown, path: string, entryName: string): ListEntries {
  const entries: ListEntries = { objects: [], invalid: [] };
  if (value === undefined || value === null) return entries;
  if (!Array.isArray(value)) {
    entries.invalid.push({
      path,
      found: describeJsonValue(value),
      expected: `a list of ${entryName}s`,
    });
    return entries;
  }
  value.forEach((entry: unknown, index) => {
    const entryPath = `${path}[${index}]`;
    if (isJsonObject(entry)) entries.objects.push({ object: entry, path: entryPath });
    else
      entries.invalid.push({
        path: entryPath,
        found: describeJsonValue(entry),
        expected: `${article(entryName)} ${entryName}`,
      });
  });
  return entries;
}

/** Returns the sentence that reports an invalid entry, naming the event it belongs to. */
export function invalidEntryMessage(entry: InvalidEntry, event: string, outcome: string): string {
  return `${entry.path} of ${event} is ${entry.found}, but ${entry.expected} was expected, so ${outcome}.`;
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}
