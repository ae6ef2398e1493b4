/**
 * Reads the attributes and objects of one MISP event into RawIndicator records.
 *
 * Only attributes flagged `to_ids` become records unless `allAttributes` is set; the others are
 * counted as dropped. First seen is the attribute's (or object's) `first_seen`, else the event
 * `date`. Last seen is `last_seen`, else the attribute's last change (`timestamp`), else the
 * event's.
 */
import { quoteValue, type HuntpackIssue, type SourceLocation } from '../../errors.js';
import type { IndicatorContext, RawIndicator } from '../../indicators/model.js';
import { stringField, type JsonObject } from '../json-document.js';
import { countDropped, type FeedReaderOutput } from '../reader-output.js';
import { readUrlValue } from '../url-value.js';
import {
  isSupportedType,
  mapAttribute,
  parsePort,
  withPort,
  type AttributeCandidate,
} from './attributes.js';
import {
  chooseFamily,
  readMispTime,
  readTags,
  uniqueTags,
  type InvalidTagEntry,
  type TagContext,
} from './context.js';
import type { PlacedEvent } from './document.js';
import { describeJsonValue } from '../json-document.js';
import {
  invalidEntryMessage,
  listEntries,
  type InvalidEntry,
  type PlacedObject,
} from './entries.js';
import { UnsupportedAttributes } from './unsupported.js';
import { chooseConfidence, readTagConfidence } from './confidence.js';
import { ListProvenance } from '../../indicators/provenance.js';

export interface MispEventOptions {
  /** Keep attributes whose `to_ids` flag is false. Default false. */
  allAttributes?: boolean;
  /** Family name given to every record, replacing the one from tags and galaxies. */
  family?: string;
}

/** Context shared by every attribute of one event, and the event's running counts. */
interface EventScope {
  file: string;
  uuid?: string;
  /** The event in messages: `event <uuid>`, `event id <id>` or `the event at <JSON path>`. */
  name: string;
  /** The event's uuid, else its id, for the location of issues about the event's lists. */
  sourceId?: string;
  /** Places of Tag and Galaxy entries already reported, because tags are read once per value. */
  reportedPlaces: Set<string>;
  tags: TagContext;
  firstSeen?: Date;
  lastSeen?: Date;
  references: string[];
  reporters: string[];
  options: MispEventOptions;
  output: FeedReaderOutput;
  notToIds: number;
  unsupported: UnsupportedAttributes;
  /** Confidence tags of unknown value already reported in this file, by tag name. */
  reportedConfidenceTags: Set<string>;
}

/** The tags and galaxies of one MISP object, read once for all of its attributes. */
interface ObjectScope {
  object: JsonObject;
  tags: TagContext;
}

/**
 * Reads one event (or a bare object or attribute list wrapped as an event) into `output`. An
 * entry of its Attribute or Object lists that is not an object is rejected with its place.
 * `reportedConfidenceTags` is shared by the events of one file, so that a confidence tag of
 * unknown value is reported once per file.
 */
export function readMispEvent(
  placed: PlacedEvent,
  file: string,
  options: MispEventOptions,
  output: FeedReaderOutput,
  reportedConfidenceTags: Set<string> = new Set(),
): void {
  const { event } = placed;
  const attributes = listEntries(event.Attribute, 'Attribute', 'attribute object');
  const objects = listEntries(event.Object, 'Object', 'MISP object');
  const scope = eventScope(placed, attributes.objects, file, options, output);
  scope.reportedConfidenceTags = reportedConfidenceTags;
  const recordsBefore = output.records.length;
  rejectEntries(attributes.invalid, 'MISP_INVALID_ATTRIBUTE', scope);
  for (const attribute of attributes.objects) readAttribute(attribute, scope);
  rejectEntries(objects.invalid, 'MISP_INVALID_OBJECT', scope);
  for (const object of objects.objects) readObject(object, scope);
  const unsupported = scope.unsupported.toIssue({ file, id: scope.uuid });
  if (unsupported) output.issues.push(unsupported);
  if (scope.notToIds > 0) {
    const none =
      output.records.length === recordsBefore ? ', so the event yields no indicators' : '';
    output.issues.push({
      code: 'MISP_NOT_TO_IDS',
      severity: 'info',
      message: `${scope.notToIds} indicator values have to_ids false and were left out${none}. Pass --all-attributes to huntpack build (library option allAttributes) to include them.`,
      source: { file, id: scope.uuid },
    });
  }
}

function eventScope(
  { event, path }: PlacedEvent,
  attributes: PlacedObject[],
  file: string,
  options: MispEventOptions,
  output: FeedReaderOutput,
): EventScope {
  const uuid = stringField(event.uuid);
  const id = typeof event.id === 'number' ? String(event.id) : stringField(event.id);
  const info = stringField(event.info);
  const links = attributes
    .map(({ object: attribute }) => attribute)
    .filter((attribute) => attribute.type === 'link')
    .map((attribute) => stringField(attribute.value))
    .filter((link): link is string => link !== undefined);
  const eventReference = info ? [`MISP event ${uuid ?? '(no uuid)'}: ${info}`] : [];
  const org = event.Orgc;
  const reporter =
    typeof org === 'object' && org !== null ? stringField((org as JsonObject).name) : undefined;
  const scope: EventScope = {
    file,
    uuid,
    name: eventName(uuid, id, path),
    sourceId: uuid ?? id,
    reportedPlaces: new Set(),
    tags: { tags: [], families: [] },
    firstSeen: readMispTime(event.date),
    lastSeen: readMispTime(event.timestamp),
    references: [...eventReference, ...links],
    reporters: reporter ? [reporter] : [],
    options,
    output,
    notToIds: 0,
    unsupported: new UnsupportedAttributes(),
    reportedConfidenceTags: new Set(),
  };
  scope.tags = readTags(event, '', tagWarner(scope));
  return scope;
}

function eventName(uuid: string | undefined, id: string | undefined, path: string): string {
  if (uuid) return `event ${uuid}`;
  if (id) return `event id ${id}`;
  return `the event at ${path}`;
}

/**
 * Rejects the entries of an Attribute or Object list that are not objects, each as one item read,
 * because the entry may have been an indicator.
 */
function rejectEntries(entries: InvalidEntry[], code: string, scope: EventScope): void {
  for (const entry of entries) {
    const message = invalidEntryMessage(entry, scope.name, 'it is skipped');
    rejectItem(scope.output, code, message, { file: scope.file, id: scope.sourceId });
  }
}

/**
 * Returns the receiver of invalid Tag and Galaxy entries, which warns once per place. The entry
 * is left out of the context, and the values it would describe are still read.
 */
function tagWarner(scope: EventScope): InvalidTagEntry {
  return (entry, code) => {
    if (scope.reportedPlaces.has(entry.path)) return;
    scope.reportedPlaces.add(entry.path);
    scope.output.issues.push({
      code,
      severity: 'warning',
      message: invalidEntryMessage(entry, scope.name, 'it is ignored'),
      source: { file: scope.file, id: scope.sourceId },
    });
  };
}

function readObject({ object, path }: PlacedObject, scope: EventScope): void {
  const entries = listEntries(object.Attribute, `${path}.Attribute`, 'attribute object');
  rejectEntries(entries.invalid, 'MISP_INVALID_ATTRIBUTE', scope);
  const attributes = entries.objects;
  const objectScope: ObjectScope = { object, tags: readTags(object, path, tagWarner(scope)) };
  if (object.name === 'ip-port') {
    readIpPortObject(attributes, scope, objectScope);
  } else if (object.name === 'url') {
    // The url object also splits the URL into text parts (scheme, resource_path, port). Only
    // the whole `url` attribute is an indicator, so the parts are not counted as items.
    const urls = attributes.filter(({ object: attribute }) => attribute.object_relation === 'url');
    for (const attribute of urls) readAttribute(attribute, scope, objectScope);
  } else {
    for (const attribute of attributes) readAttribute(attribute, scope, objectScope);
  }
}

/**
 * Reads an ip-port object as one ip-port indicator per address and destination port. The
 * address attribute's `to_ids` decides, because producers mark the port attribute false.
 */
function readIpPortObject(
  attributes: PlacedObject[],
  scope: EventScope,
  objectScope: ObjectScope,
): void {
  const isAddress = (attribute: JsonObject): boolean =>
    attribute.type === 'ip-dst' || attribute.type === 'ip-src';
  const ports = attributes
    .map(({ object: attribute }) => attribute)
    .filter((attribute) => attribute.object_relation === 'dst-port');
  for (const placed of attributes) {
    const attribute = placed.object;
    if (isAddress(attribute) && ports.length > 0) {
      for (const port of ports) readAttribute(placed, scope, objectScope, port);
    } else if (!isAddress(attribute) && ['domain', 'hostname'].includes(String(attribute.type))) {
      readAttribute(placed, scope, objectScope);
    }
  }
}

function readAttribute(
  placed: PlacedObject,
  scope: EventScope,
  objectScope?: ObjectScope,
  portAttribute?: JsonObject,
): void {
  const { output } = scope;
  const { object: attribute, path } = placed;
  const type = stringField(attribute.type) ?? '';
  const value = scalarText(attribute.value);
  const source = attributeSource(scope, attribute);
  if (attribute.deleted === true) return countDropped(output, 'deleted');
  if (isSupportedType(type) && value === undefined) {
    const message = `Attribute of type ${type} at ${path} has value ${describeJsonValue(attribute.value)}, but a string was expected.`;
    return rejectAttribute(output, message, source);
  }
  const mapping = mapAttribute(type, value ?? '');
  if (mapping.kind === 'unsupported') {
    if (type === 'link') return countDropped(output, 'reference-link');
    scope.unsupported.add(type, value ?? '');
    return countDropped(output, 'unsupported-type');
  }
  if (mapping.kind === 'invalid') return rejectAttribute(output, mapping.message, source);
  let candidates = mapping.candidates;
  if (portAttribute) {
    const portText = scalarText(portAttribute.value);
    const port = portText === undefined ? undefined : parsePort(portText);
    if (port === undefined) {
      const portShown =
        portText === undefined
          ? `a port that is ${describeJsonValue(portAttribute.value)}`
          : `port ${quoteValue(portText)}`;
      const message = `ip-port object has ${portShown}, but a port from 0 to 65535 was expected.`;
      return rejectAttribute(output, message, source);
    }
    candidates = candidates.map((candidate) => withPort(candidate, port));
  }
  if (!isToIds(attribute) && !scope.options.allAttributes) {
    scope.notToIds += candidates.length;
    return countDropped(output, 'not-to-ids', candidates.length);
  }
  const context = attributeContext(placed, scope, objectScope);
  for (const candidate of candidates) {
    output.records.push(toRecord(rereadUrl(candidate, source, output), context, source));
  }
  output.itemsRead += candidates.length;
}

/** Returns a string or number value as text, and undefined for any other JSON value. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : undefined;
}

function isToIds(attribute: JsonObject): boolean {
  const flag = attribute.to_ids;
  return flag === true || flag === 1 || flag === '1' || String(flag).toLowerCase() === 'true';
}

function attributeSource(scope: EventScope, attribute: JsonObject): SourceLocation {
  const uuid = stringField(attribute.uuid) ?? '(no uuid)';
  return { file: scope.file, id: scope.uuid ? `${scope.uuid}/${uuid}` : uuid };
}

function rejectAttribute(output: FeedReaderOutput, message: string, source: SourceLocation): void {
  rejectItem(output, 'MISP_INVALID_ATTRIBUTE', message, source);
}

/** Counts one item as read and rejected, with an error issue, as every rejection is. */
function rejectItem(
  output: FeedReaderOutput,
  code: string,
  message: string,
  source: SourceLocation,
): void {
  const issue: HuntpackIssue = { code, severity: 'error', message, source };
  output.issues.push(issue);
  output.rejected++;
  output.itemsRead++;
}

function attributeContext(
  { object: attribute, path }: PlacedObject,
  scope: EventScope,
  objectScope: ObjectScope | undefined,
): Partial<IndicatorContext> {
  const own = readTags(attribute, path, tagWarner(scope));
  const object = objectScope?.object;
  const objectTags = objectScope?.tags ?? { tags: [], families: [] };
  const { family, others } = chooseFamily([own.families, objectTags.families, scope.tags.families]);
  const uuid = stringField(attribute.uuid);
  const context: Partial<IndicatorContext> = {
    tags: uniqueTags([
      ...scope.tags.tags,
      ...objectTags.tags,
      ...own.tags,
      ...others.map((name) => `malware:${name}`),
    ]),
    references: [...scope.references],
    reporters: [...scope.reporters],
    provenance: new ListProvenance(
      [attributeSource(scope, attribute)],
      uuid ? [`misp:${uuid}`] : [],
    ),
  };
  const familyName = scope.options.family;
  if (familyName) context.family = { name: familyName, aliases: [] };
  else if (family) {
    context.family = family;
    if (others.length > 0) context.otherFamilies = others.map((name) => ({ name, aliases: [] }));
  }

  const tagLevels = [own.tags, objectTags.tags, scope.tags.tags];
  reportUnknownConfidenceTags(tagLevels, scope);
  const confidence = chooseConfidence(tagLevels);
  if (confidence !== undefined) context.confidence = confidence;

  const category = stringField(attribute.category);
  if (category) context.threatType = category.toLowerCase().replace(/\s+/g, '_');

  const firstSeen =
    readMispTime(attribute.first_seen) ?? readMispTime(object?.first_seen) ?? scope.firstSeen;
  if (firstSeen) context.firstSeen = firstSeen;
  const lastSeen =
    readMispTime(attribute.last_seen) ??
    readMispTime(object?.last_seen) ??
    readMispTime(attribute.timestamp) ??
    scope.lastSeen;
  if (lastSeen) context.lastSeen = lastSeen;
  return context;
}

/** Warns once per file about each confidence tag whose value no taxonomy lists. */
function reportUnknownConfidenceTags(levels: readonly string[][], scope: EventScope): void {
  for (const tag of levels.flat()) {
    const confidence = readTagConfidence(tag);
    if (confidence?.kind !== 'unknown') continue;
    if (scope.reportedConfidenceTags.has(tag)) continue;
    scope.reportedConfidenceTags.add(tag);
    scope.output.issues.push({
      code: 'MISP_UNKNOWN_CONFIDENCE',
      severity: 'warning',
      message:
        `Tag ${confidence.predicate} in ${scope.name} has the value ${quoteValue(confidence.value)}, ` +
        `which its taxonomy does not list (expected one of ${confidence.known.join(', ')}), ` +
        'so it gives the attributes it tags no confidence.',
      source: { file: scope.file, id: scope.sourceId },
    });
  }
}

function toRecord(
  candidate: AttributeCandidate,
  context: Partial<IndicatorContext>,
  source: SourceLocation,
): RawIndicator {
  const tags = [...(context.tags ?? []), ...(candidate.tags ?? [])];
  if (candidate.side === 'source') tags.push('side:source');
  const record: RawIndicator = {
    type: candidate.type,
    value: candidate.value,
    context: { ...context, tags },
    source,
  };
  if (candidate.port !== undefined) record.port = candidate.port;
  return record;
}

/**
 * Reads a `url` candidate through `readUrlValue`, so that a bare host name becomes a domain and a
 * port written after `@` a port, each with its warning added to the output.
 */
function rereadUrl(
  candidate: AttributeCandidate,
  source: SourceLocation,
  output: FeedReaderOutput,
): AttributeCandidate {
  if (candidate.type !== 'url') return candidate;
  const reading = readUrlValue(candidate.value, source, {
    name: 'url attribute',
    bareHostCode: 'MISP_URL_BARE_HOST',
  });
  if (reading.warning) output.issues.push(reading.warning);
  return { ...candidate, type: reading.type, value: reading.value };
}
