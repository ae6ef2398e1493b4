/**
 * The shapes a MISP JSON document comes in, reduced to a list of events: `{"Event": ...}`, a bare
 * event, a list of either, a restSearch response `{"response": [...]}` containing events, bare objects
 * (`{"Object": ...}`) or an attribute list, and the `manifest.json` of a MISP feed.
 */
import { FeedParseError } from '../../errors.js';
import { isJsonObject, objectList, type JsonObject } from '../json-document.js';

export type MispDocument =
  | { kind: 'events'; events: JsonObject[] }
  /** Event uuids listed in a feed's manifest.json; each event is in `<uuid>.json` beside it. */
  | { kind: 'manifest'; uuids: string[] };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Classifies a parsed document; throws FeedParseError when it is not MISP JSON. */
export function classifyMispDocument(document: unknown, file: string): MispDocument {
  if (isManifest(document)) return { kind: 'manifest', uuids: Object.keys(document) };
  const events = eventsOf(document);
  if (events === undefined) {
    throw new FeedParseError(
      'NOT_MISP',
      `"${file}" is not a MISP event export (expected {"Event": {...}}, {"response": [...]}, a bare event or a feed manifest.json). Pass --format to choose another reader.`,
      { source: { file } },
    );
  }
  return { kind: 'events', events };
}

function eventsOf(value: unknown): JsonObject[] | undefined {
  if (Array.isArray(value)) {
    const parts = value.map(eventsOf);
    return parts.every((part) => part !== undefined) ? parts.flat() : undefined;
  }
  if (!isJsonObject(value)) return undefined;
  if (isJsonObject(value.Event)) return [value.Event];
  if ('response' in value) return responseEvents(value.response);
  if (isJsonObject(value.Object)) return [{ Object: [value.Object] }];
  if (Array.isArray(value.Attribute) || Array.isArray(value.Object) || 'info' in value) {
    return [value];
  }
  return undefined;
}

/** Reads the events of a restSearch `response`: a list of events or objects, or `{"Attribute": [...]}`. */
function responseEvents(response: unknown): JsonObject[] | undefined {
  if (isJsonObject(response) && Array.isArray(response.Attribute)) {
    return [{ Attribute: objectList(response.Attribute) }];
  }
  return Array.isArray(response) ? eventsOf(response) : undefined;
}

function isManifest(value: unknown): value is JsonObject {
  if (!isJsonObject(value)) return false;
  const entries = Object.entries(value);
  return (
    entries.length > 0 &&
    entries.every(([key, entry]) => UUID.test(key) && isJsonObject(entry) && 'info' in entry)
  );
}
