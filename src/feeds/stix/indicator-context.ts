/**
 * The context huntpack keeps from a STIX indicator object: family, threat type, dates,
 * confidence, labels, references and creator.
 */
import type { HuntpackIssue, SourceLocation } from '../../errors.js';
import { quoteValue } from '../../errors.js';
import type { IndicatorContext } from '../../indicators/model.js';
import { stringField, type JsonObject } from '../json-document.js';
import {
  creatorName,
  externalUrls,
  familyOfIndicator,
  threatGroupsOfIndicator,
  type BundleIndex,
} from './bundle-index.js';
import { ListProvenance } from '../../indicators/provenance.js';
import { KEPT_WITHOUT_FIELD, showJsonValue } from '../threatfox-record.js';

/** The indicator types of the STIX 2.1 `indicator-type-ov` vocabulary (STIX 2.0 `labels`). */
const INDICATOR_TYPES = new Set([
  'anomalous-activity',
  'anonymization',
  'benign',
  'compromised',
  'malicious-activity',
  'attribution',
  'unknown',
]);

/** MISP labels that the MISP-to-STIX converter writes and that are used here, not kept as tags. */
const MISP_LABEL = /^misp:(type|category|to_ids)="(.*)"$/;

/** Returns the value of a MISP-style label such as `misp:to_ids="True"`, if the object has one. */
export function mispLabel(
  object: JsonObject,
  name: 'type' | 'category' | 'to_ids',
): string | undefined {
  for (const label of stringList(object.labels)) {
    const match = MISP_LABEL.exec(label);
    if (match?.[1] === name) return match[2];
  }
  return undefined;
}

/**
 * Builds the context of one indicator. Threat type is the first STIX indicator type, or else
 * the MISP category in snake_case (`Payload delivery` becomes `payload_delivery`).
 */
export function indicatorContext(
  index: BundleIndex,
  indicator: JsonObject,
  source: SourceLocation,
  issues: HuntpackIssue[],
): Partial<IndicatorContext> {
  const id = String(indicator.id);
  const labels = stringList(indicator.labels);
  const types = [
    ...stringList(indicator.indicator_types),
    ...labels.filter((label) => INDICATOR_TYPES.has(label)),
  ];
  const { family, others } = familyOfIndicator(index, id);
  const groups = threatGroupsOfIndicator(index, id);
  const category = mispLabel(indicator, 'category');
  const context: Partial<IndicatorContext> = {
    tags: unique([
      ...types,
      ...labels.filter((label) => !MISP_LABEL.test(label)),
      ...others.map((name) => `malware:${name}`),
      ...groups.map((group) => `${group.kind}:${group.name}`),
    ]),
    references: unique([
      ...externalUrls(indicator),
      ...(index.reportsByObject.get(id) ?? []).flatMap(externalUrls),
    ]),
    reporters: unique([creatorName(index, indicator)].filter((name): name is string => !!name)),
    provenance: new ListProvenance([source], [`stix:${id}`]),
  };

  // Without malware or a tool, the preferred threat group names the pack, so that indicators of
  // unrelated actors do not share one "Unknown malware" pack.
  const group = groups[0];
  if (family) context.family = family;
  else if (group) context.family = { name: group.name, aliases: group.aliases, kind: group.kind };
  if (family && others.length > 0) {
    context.otherFamilies = others.map((name) => ({ name, aliases: [] }));
  }
  const threatType =
    types[0] ?? (category ? category.toLowerCase().replace(/\s+/g, '_') : undefined);
  if (threatType) context.threatType = threatType;
  if (types.includes('compromised')) context.isCompromised = true;
  const confidence = readConfidence(indicator, source, issues);
  if (confidence !== undefined) context.confidence = confidence;

  const firstSeen = readDate(indicator, 'valid_from', source, issues);
  if (firstSeen) context.firstSeen = firstSeen;
  const expires = readDate(indicator, 'valid_until', source, issues);
  if (expires) context.expires = expires;
  return context;
}

/**
 * Returns the indicator's confidence when it is a number. Another JSON type, such as "high" or
 * an object, is reported as malformed input, so --strict stops at it, and the field is left out.
 * A null reads as a missing confidence.
 */
function readConfidence(
  indicator: JsonObject,
  source: SourceLocation,
  issues: HuntpackIssue[],
): number | undefined {
  const value = indicator.confidence;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  issues.push({
    code: 'INVALID_CONFIDENCE',
    severity: 'warning',
    message: `Invalid confidence ${showJsonValue(value)}: expected an integer from 0 to 100. ${KEPT_WITHOUT_FIELD}`,
    source,
    malformed: true,
    value,
  });
  return undefined;
}

function readDate(
  object: JsonObject,
  field: string,
  source: SourceLocation,
  issues: HuntpackIssue[],
): Date | undefined {
  const text = object[field];
  if (text === undefined) return undefined;
  const date = typeof text === 'string' ? new Date(text) : undefined;
  if (date && !Number.isNaN(date.getTime())) return date;
  // An invalid timestamp is malformed input, as an invalid confidence is, so --strict stops at it.
  issues.push({
    code: 'STIX_INVALID_TIMESTAMP',
    severity: 'warning',
    message: `Indicator ${field} ${quoteValue(text)} is not a valid timestamp: expected RFC 3339, such as 2024-05-01T00:00:00Z. ${KEPT_WITHOUT_FIELD}`,
    source,
    malformed: true,
    value: text,
  });
  return undefined;
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(stringField).filter((item): item is string => item !== undefined);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
