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
import { objectList, stringField, type JsonObject } from '../json-document.js';
import { countDropped, type FeedReaderOutput } from '../reader-output.js';
import { readUrlValue } from '../url-value.js';
import { mapAttribute, parsePort, withPort, type AttributeCandidate } from './attributes.js';
import { chooseFamily, readMispTime, readTags, uniqueTags, type TagContext } from './context.js';
import { UnsupportedAttributes } from './unsupported.js';
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
  tags: TagContext;
  firstSeen?: Date;
  lastSeen?: Date;
  references: string[];
  reporters: string[];
  options: MispEventOptions;
  output: FeedReaderOutput;
  notToIds: number;
  unsupported: UnsupportedAttributes;
}

/** Reads one event (or a bare object or attribute list wrapped as an event) into `output`. */
export function readMispEvent(
  event: JsonObject,
  file: string,
  options: MispEventOptions,
  output: FeedReaderOutput,
): void {
  const scope = eventScope(event, file, options, output);
  const recordsBefore = output.records.length;
  for (const attribute of objectList(event.Attribute)) readAttribute(attribute, scope);
  for (const object of objectList(event.Object)) readObject(object, scope);
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
  event: JsonObject,
  file: string,
  options: MispEventOptions,
  output: FeedReaderOutput,
): EventScope {
  const uuid = stringField(event.uuid);
  const info = stringField(event.info);
  const links = objectList(event.Attribute)
    .filter((attribute) => attribute.type === 'link')
    .map((attribute) => stringField(attribute.value))
    .filter((link): link is string => link !== undefined);
  const eventReference = info ? [`MISP event ${uuid ?? '(no uuid)'}: ${info}`] : [];
  const org = event.Orgc;
  const reporter =
    typeof org === 'object' && org !== null ? stringField((org as JsonObject).name) : undefined;
  return {
    file,
    uuid,
    tags: readTags(event),
    firstSeen: readMispTime(event.date),
    lastSeen: readMispTime(event.timestamp),
    references: [...eventReference, ...links],
    reporters: reporter ? [reporter] : [],
    options,
    output,
    notToIds: 0,
    unsupported: new UnsupportedAttributes(),
  };
}

function readObject(object: JsonObject, scope: EventScope): void {
  const attributes = objectList(object.Attribute);
  if (object.name === 'ip-port') {
    readIpPortObject(object, attributes, scope);
  } else if (object.name === 'url') {
    // The url object also splits the URL into text parts (scheme, resource_path, port). Only
    // the whole `url` attribute is an indicator, so the parts are not counted as items.
    const urls = attributes.filter((attribute) => attribute.object_relation === 'url');
    for (const attribute of urls) readAttribute(attribute, scope, object);
  } else {
    for (const attribute of attributes) readAttribute(attribute, scope, object);
  }
}

/**
 * Reads an ip-port object as one ip-port indicator per address and destination port. The
 * address attribute's `to_ids` decides, because producers mark the port attribute false.
 */
function readIpPortObject(object: JsonObject, attributes: JsonObject[], scope: EventScope): void {
  const isAddress = (attribute: JsonObject): boolean =>
    attribute.type === 'ip-dst' || attribute.type === 'ip-src';
  const ports = attributes.filter((attribute) => attribute.object_relation === 'dst-port');
  for (const attribute of attributes) {
    if (isAddress(attribute) && ports.length > 0) {
      for (const port of ports) readAttribute(attribute, scope, object, port);
    } else if (!isAddress(attribute) && ['domain', 'hostname'].includes(String(attribute.type))) {
      readAttribute(attribute, scope, object);
    }
  }
}

function readAttribute(
  attribute: JsonObject,
  scope: EventScope,
  object?: JsonObject,
  portAttribute?: JsonObject,
): void {
  const { output } = scope;
  const type = stringField(attribute.type) ?? '';
  const value = scalarText(attribute.value);
  const source = attributeSource(scope, attribute);
  if (attribute.deleted === true) return countDropped(output, 'deleted');
  const mapping = mapAttribute(type, value);
  if (mapping.kind === 'unsupported') {
    if (type === 'link') return countDropped(output, 'reference-link');
    scope.unsupported.add(type, value);
    return countDropped(output, 'unsupported-type');
  }
  if (mapping.kind === 'invalid') return rejectAttribute(output, mapping.message, source);
  let candidates = mapping.candidates;
  if (portAttribute) {
    const port = parsePort(scalarText(portAttribute.value));
    if (port === undefined) {
      const message = `ip-port object has port ${quoteValue(portAttribute.value)}, but a port from 0 to 65535 was expected.`;
      return rejectAttribute(output, message, source);
    }
    candidates = candidates.map((candidate) => withPort(candidate, port));
  }
  if (!isToIds(attribute) && !scope.options.allAttributes) {
    scope.notToIds += candidates.length;
    return countDropped(output, 'not-to-ids', candidates.length);
  }
  const context = attributeContext(attribute, scope, object);
  for (const candidate of candidates) {
    output.records.push(toRecord(rereadUrl(candidate, source, output), context, source));
  }
  output.itemsRead += candidates.length;
}

/** Returns a string or number value as text, and anything else as an empty string. */
function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' ? String(value) : '';
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
  const issue: HuntpackIssue = {
    code: 'MISP_INVALID_ATTRIBUTE',
    severity: 'warning',
    message,
    source,
  };
  output.issues.push(issue);
  output.rejected++;
  output.itemsRead++;
}

function attributeContext(
  attribute: JsonObject,
  scope: EventScope,
  object: JsonObject | undefined,
): Partial<IndicatorContext> {
  const own = readTags(attribute);
  const objectTags = object ? readTags(object) : { tags: [], families: [] };
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
