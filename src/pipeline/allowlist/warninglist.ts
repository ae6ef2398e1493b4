/**
 * Reading MISP warninglist files (`lists/<name>/list.json` in MISP/misp-warninglists) and mapping
 * their `matching_attributes` (MISP attribute types) to huntpack indicator kinds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, quoteValue } from '../../errors.js';
import type { IndicatorKind } from '../../indicators/model.js';
import { INDICATOR_KINDS } from '../../indicators/model.js';
import { WARNINGLIST_TYPES, type WarninglistType } from './matchers.js';

/** The fields of a warninglist file that huntpack uses. */
export interface Warninglist {
  name: string;
  /** An integer: a counter or a yyyymmdd date. */
  version: number;
  description: string;
  type: WarninglistType;
  /** MISP attribute types; absent means the list applies to every type. */
  matchingAttributes?: string[];
  list: string[];
}

const IP_KINDS: IndicatorKind[] = ['ip', 'ip-port'];

/**
 * MISP attribute types and the indicator kinds they stand for. Types with no huntpack kind
 * (`sha512`, `ssdeep`, `filename|sha224`, ...) are ignored.
 */
const ATTRIBUTE_KINDS: Record<string, readonly IndicatorKind[]> = {
  'ip-src': IP_KINDS,
  'ip-dst': IP_KINDS,
  'ip-src|port': ['ip-port'],
  'ip-dst|port': ['ip-port'],
  hostname: ['domain'],
  domain: ['domain'],
  url: ['url'],
  uri: ['url'],
  md5: ['md5'],
  sha1: ['sha1'],
  sha256: ['sha256'],
  'filename|md5': ['md5'],
  'filename|sha1': ['sha1'],
  'filename|sha256': ['sha256'],
};

/**
 * Returns the indicator kinds a list applies to, given its MISP `matching_attributes`; absent
 * attributes mean every kind. A `domain|ip` value contains a name and an address, and a list can
 * match only the half its type compares, so it adds address kinds to a `cidr` list and the
 * `domain` kind to any other list.
 */
export function kindsForAttributes(
  attributes: readonly string[] | undefined,
  type: WarninglistType,
): Set<IndicatorKind> {
  if (attributes === undefined || attributes.length === 0) return new Set(INDICATOR_KINDS);
  const kinds = new Set<IndicatorKind>();
  for (const attribute of attributes) {
    let mapped = ATTRIBUTE_KINDS[attribute] ?? [];
    if (attribute === 'domain|ip') mapped = type === 'cidr' ? IP_KINDS : ['domain'];
    for (const kind of mapped) kinds.add(kind);
  }
  return kinds;
}

/**
 * Reads and checks one warninglist file.
 *
 * @throws ConfigError when the file is missing, is not JSON, or lacks a required field.
 */
export function readWarninglist(file: URL | string): Warninglist {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'INVALID_WARNINGLIST',
      `Cannot read the warninglist ${path}: ${error instanceof Error ? error.message : String(error)}. Expected a MISP warninglist JSON file.`,
      { source: { file: path }, cause: error },
    );
  }
  return checkWarninglist(parsed, path);
}

/** Checks the shape of a parsed warninglist against the MISP warninglists schema. */
export function checkWarninglist(value: unknown, path: string): Warninglist {
  const fail = (field: string, expected: string, actual: unknown): never => {
    throw new ConfigError(
      'INVALID_WARNINGLIST',
      `Invalid field "${field}" in the warninglist ${path}: expected ${expected}, found ${describeValue(actual)}.`,
      { source: { file: path } },
    );
  };
  if (typeof value !== 'object' || value === null) return fail('(root)', 'an object', value);
  const record = value as Record<string, unknown>;

  const { name, version, description, type, list } = record;
  const attributes = record.matching_attributes;
  if (typeof name !== 'string') fail('name', 'a string', name);
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    fail('version', 'an integer', version);
  }
  if (typeof description !== 'string') fail('description', 'a string', description);
  if (!WARNINGLIST_TYPES.includes(type as WarninglistType)) {
    fail('type', `one of ${WARNINGLIST_TYPES.join(', ')}`, type);
  }
  if (!isStringArray(list)) fail('list', 'an array of strings', list);
  if (attributes !== undefined && !isStringArray(attributes)) {
    fail('matching_attributes', 'an array of strings', attributes);
  }
  return {
    name: name as string,
    version: version as number,
    description: description as string,
    type: type as WarninglistType,
    ...(attributes !== undefined && { matchingAttributes: attributes as string[] }),
    list: list as string[],
  };
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array ${quoteValue(value, 60)}`;
  return `${typeof value} ${quoteValue(value, 60)}`;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
