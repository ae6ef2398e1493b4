/**
 * ThreatFox API queries and their `threatfox:` source form, as `huntpack build` and
 * `huntpack fetch threatfox` accept them: `threatfox:days=3`, `threatfox:family=Remcos`,
 * `threatfox:tag=TAG`, `threatfox:search=1.2.3.4`, and `&limit=N` after a family or tag.
 */
import { quoteValue, UsageError } from '../errors.js';

/** The ThreatFox API endpoint. */
export const THREATFOX_API_URL = 'https://threatfox-api.abuse.ch/api/v1/';

/** The prefix that marks a build input as a ThreatFox query instead of a file. */
export const THREATFOX_SOURCE_PREFIX = 'threatfox:';

/**
 * Most results a `malwareinfo` or `taginfo` query may ask for, and huntpack's default, because
 * the API's own default of 100 would cut large families short.
 *
 * NOTE: the API's default of 100 and maximum of 1000 were not checked against the live API. A
 * server with a lower maximum returns `illegal_limit`, which the client reports as an error.
 */
export const THREATFOX_MAX_LIMIT = 1000;

/** One ThreatFox API query. */
export type ThreatFoxQuery =
  /** `get_iocs`: indicators first seen in the last 1 to 7 days. */
  | { kind: 'recent'; days: number }
  /** `malwareinfo`: the latest indicators of one family, by printable name or Malpedia id. */
  | { kind: 'family'; malware: string; limit: number }
  /** `taginfo`: the latest indicators with one tag. */
  | { kind: 'tag'; tag: string; limit: number }
  /** `search_ioc`: the indicators whose value matches a search term. */
  | { kind: 'search'; term: string };

/** Returns true when a build input names a ThreatFox query rather than a file. */
export function isThreatFoxSource(input: string): boolean {
  return input.startsWith(THREATFOX_SOURCE_PREFIX);
}

/** Formats a query as its source text, such as `threatfox:family=Remcos`. */
export function formatThreatFoxSource(query: ThreatFoxQuery): string {
  switch (query.kind) {
    case 'recent':
      return `${THREATFOX_SOURCE_PREFIX}days=${query.days}`;
    case 'family':
      return `${THREATFOX_SOURCE_PREFIX}family=${query.malware}${limitSuffix(query.limit)}`;
    case 'tag':
      return `${THREATFOX_SOURCE_PREFIX}tag=${query.tag}${limitSuffix(query.limit)}`;
    case 'search':
      return `${THREATFOX_SOURCE_PREFIX}search=${query.term}`;
  }
}

function limitSuffix(limit: number): string {
  return limit === THREATFOX_MAX_LIMIT ? '' : `&limit=${limit}`;
}

/**
 * Parses a `threatfox:` source. The search term is taken verbatim after `search=`, so it may
 * contain `&` or `=`; a family or tag may end in `&limit=N`.
 *
 * @throws UsageError when the text has no known key, an empty value or a bad number.
 */
export function parseThreatFoxSource(source: string): ThreatFoxQuery {
  const body = source.slice(THREATFOX_SOURCE_PREFIX.length);
  const equals = body.indexOf('=');
  const key = equals === -1 ? body : body.slice(0, equals);
  const value = equals === -1 ? '' : body.slice(equals + 1);
  switch (key) {
    case 'days':
      return { kind: 'recent', days: parseWholeNumber(source, 'days', value, 1, 7) };
    case 'family': {
      const { text, limit } = splitLimit(source, value);
      return { kind: 'family', malware: requireText(source, key, text), limit };
    }
    case 'tag': {
      const { text, limit } = splitLimit(source, value);
      return { kind: 'tag', tag: requireText(source, key, text), limit };
    }
    case 'search':
      return { kind: 'search', term: requireText(source, key, value) };
    default:
      throw new UsageError(
        'INVALID_THREATFOX_SOURCE',
        `Invalid ThreatFox source ${quoteValue(source)}: expected threatfox:days=N (1 to 7), threatfox:family=NAME, threatfox:tag=TAG or threatfox:search=VALUE. To read a file whose name starts with "threatfox:", write it as ./threatfox:...`,
      );
  }
}

function splitLimit(source: string, value: string): { text: string; limit: number } {
  const match = /^(.*)&limit=([^&]*)$/s.exec(value);
  if (!match) return { text: value, limit: THREATFOX_MAX_LIMIT };
  return {
    text: match[1] ?? '',
    limit: parseWholeNumber(source, 'limit', match[2] ?? '', 1, THREATFOX_MAX_LIMIT),
  };
}

function requireText(source: string, key: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') {
    throw new UsageError(
      'INVALID_THREATFOX_SOURCE',
      `Invalid ThreatFox source ${quoteValue(source)}: ${key}= needs a value, such as threatfox:${key}=${key === 'search' ? '1.2.3.4' : 'Remcos'}.`,
    );
  }
  return trimmed;
}

/** Parses a whole number from `min` to `max`, as given in a source or an option. */
export function parseWholeNumber(
  where: string,
  name: string,
  text: string,
  min: number,
  max: number,
): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(
      'INVALID_THREATFOX_SOURCE',
      `Invalid ${name} ${quoteValue(text)} in ${quoteValue(where)}: expected a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}
