/**
 * The shapes a MISP JSON document comes in, reduced to a list of events: `{"Event": ...}`, a bare
 * event, a list of either, a restSearch response `{"response": [...]}` containing events, bare objects
 * (`{"Object": ...}`) or an attribute list, and the `manifest.json` of a MISP feed.
 */
import { FeedParseError } from '../../errors.js';
import { isJsonObject, type JsonObject } from '../json-document.js';
import { describeJsonValue } from '../json-document.js';
import type { InvalidEntry } from './entries.js';

/** One event of a document, with its JSON path such as `$.response[2].Event`. */
export interface PlacedEvent {
  event: JsonObject;
  path: string;
}

export type MispDocument =
  /**
   * The events of an export, and the entries of its event lists that are not events. A list
   * counts as MISP when at least one of its entries is an event, and the others are invalid.
   */
  | { kind: 'events'; events: PlacedEvent[]; invalid: InvalidEntry[] }
  /** Event uuids listed in a feed's manifest.json; each event is in `<uuid>.json` beside it. */
  | { kind: 'manifest'; uuids: string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Maximum number of lists nested in one another on the way to an event. The deepest MISP shape
 * is a list of restSearch responses, `[{"response": [{"Event": ...}]}]`, which has two.
 */
const MAX_LIST_DEPTH = 8;

type EventsFound = { events: PlacedEvent[]; invalid: InvalidEntry[] };

/** Classifies a parsed document; throws FeedParseError when it is not MISP JSON. */
export function classifyMispDocument(document: unknown, file: string): MispDocument {
  if (isManifest(document)) return { kind: 'manifest', uuids: Object.keys(document) };
  const found = eventsOf(document, '$', 0);
  if (found === undefined) {
    throw new FeedParseError(
      'NOT_MISP',
      `"${file}" is not a MISP event export (expected {"Event": {...}}, {"response": [...]}, a bare event or a feed manifest.json). Pass --format to choose another reader.`,
      { source: { file } },
    );
  }
  return { kind: 'events', ...found };
}

function eventsOf(value: unknown, path: string, depth: number): EventsFound | undefined {
  if (Array.isArray(value)) return listEvents(value, path, depth);
  if (!isJsonObject(value)) return undefined;
  if (isJsonObject(value.Event)) return single(value.Event, `${path}.Event`);
  if ('response' in value) return responseEvents(value.response, `${path}.response`, depth);
  if (isJsonObject(value.Object)) return single({ Object: [value.Object] }, path);
  if (Array.isArray(value.Attribute) || Array.isArray(value.Object) || 'info' in value) {
    return single(value, path);
  }
  return undefined;
}

/**
 * Reads the events of a list. An entry that contains no event is invalid, unless no entry
 * contains one, in which case the list is not MISP at all.
 */
function listEvents(list: unknown[], path: string, depth: number): EventsFound | undefined {
  if (depth >= MAX_LIST_DEPTH) return undefined;
  const found: EventsFound = { events: [], invalid: [] };
  let hasEvents = list.length === 0;
  list.forEach((entry: unknown, index) => {
    const entryPath = `${path}[${index}]`;
    const part = eventsOf(entry, entryPath, depth + 1);
    if (part === undefined) {
      const expected = 'a MISP event ({"Event": {...}} or a bare event)';
      found.invalid.push({ path: entryPath, found: describeJsonValue(entry), expected });
      return;
    }
    hasEvents = true;
    for (const event of part.events) found.events.push(event);
    for (const invalid of part.invalid) found.invalid.push(invalid);
  });
  return hasEvents ? found : undefined;
}

/** Reads the events of a restSearch `response`: a list of events or objects, or `{"Attribute": [...]}`. */
function responseEvents(response: unknown, path: string, depth: number): EventsFound | undefined {
  if (isJsonObject(response) && Array.isArray(response.Attribute)) {
    return single({ Attribute: response.Attribute }, path);
  }
  return Array.isArray(response) ? listEvents(response, path, depth) : undefined;
}

function single(event: JsonObject, path: string): EventsFound {
  return { events: [{ event, path }], invalid: [] };
}

function isManifest(value: unknown): value is JsonObject {
  if (!isJsonObject(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.every(([key, entry]) => UUID.test(key) && isJsonObject(entry) && 'info' in entry)
  );
}
