/**
 * Checks of what the ThreatFox client sends: the query, the Auth-Key and the endpoint, plus the
 * redaction that keeps the key out of every text huntpack keeps or prints.
 */
import { ConfigError, quoteValue, UsageError } from '../errors.js';
import { THREATFOX_MAX_LIMIT, type ThreatFoxQuery } from './threatfox-query.js';

/** The environment variable that contains the abuse.ch Auth-Key. */
export const THREATFOX_AUTH_KEY_ENV = 'THREATFOX_AUTH_KEY';

/** The text that replaces the Auth-Key wherever a response repeats it. */
export const REDACTED_KEY = '[redacted Auth-Key]';

/**
 * Reads the Auth-Key from an environment.
 *
 * @throws ConfigError when the variable is unset or blank.
 */
export function authKeyFromEnv(env: NodeJS.ProcessEnv): string {
  const key = env[THREATFOX_AUTH_KEY_ENV]?.trim();
  if (!key) {
    throw new ConfigError(
      'THREATFOX_AUTH_KEY_MISSING',
      `The environment variable ${THREATFOX_AUTH_KEY_ENV} is not set: the ThreatFox API needs an Auth-Key. Get a free one at https://auth.abuse.ch/ and set ${THREATFOX_AUTH_KEY_ENV} before running huntpack.`,
    );
  }
  return key;
}

/**
 * Checks that a key can go into an HTTP header as it is. The message never quotes the key, because
 * a malformed key is still most of a real one.
 *
 * @throws ConfigError when the key is empty or has characters other than printable ASCII.
 */
export function checkAuthKey(key: string): string {
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new ConfigError(
      'THREATFOX_AUTH_KEY_INVALID',
      `The ThreatFox Auth-Key in ${THREATFOX_AUTH_KEY_ENV} is empty or contains spaces, line breaks or non-ASCII characters: expected the key exactly as https://auth.abuse.ch/ shows it. Copy it again.`,
    );
  }
  return key;
}

/**
 * Parses the endpoint URL. Plain `http:` is accepted only for a loopback host, so the Auth-Key
 * never crosses a network unencrypted.
 *
 * @throws ConfigError for an invalid URL, a scheme other than http or https, user info in the URL,
 *   or `http:` to a host that is not loopback.
 */
export function checkBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidUrl(text, 'it is not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidUrl(text, `its scheme is ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.username || url.password) throw invalidUrl(text, 'it contains a user name or password');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw invalidUrl(
      text,
      'plain http would send the Auth-Key unencrypted to a host that is not loopback',
    );
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function invalidUrl(text: string, reason: string): ConfigError {
  return new ConfigError(
    'INVALID_THREATFOX_URL',
    `Invalid ThreatFox API URL ${quoteValue(text)}: ${reason}. Expected an https URL such as https://threatfox-api.abuse.ch/api/v1/, or http on 127.0.0.1 for a local test server.`,
  );
}

/**
 * Checks a query before it is sent.
 *
 * @throws UsageError for days outside 1 to 7, a limit outside 1 to 1000, or blank text.
 */
export function checkQuery(query: ThreatFoxQuery): void {
  switch (query.kind) {
    case 'recent':
      checkRange('days', query.days, 1, 7);
      return;
    case 'family':
      checkText('family', query.malware);
      checkRange('limit', query.limit, 1, THREATFOX_MAX_LIMIT);
      return;
    case 'tag':
      checkText('tag', query.tag);
      checkRange('limit', query.limit, 1, THREATFOX_MAX_LIMIT);
      return;
    case 'search':
      checkText('search term', query.term);
      return;
  }
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      'INVALID_THREATFOX_QUERY',
      `Invalid ThreatFox ${name} ${quoteValue(value)}: expected a whole number from ${min} to ${max}.`,
    );
  }
}

function checkText(name: string, value: string): void {
  if (value.trim() === '') {
    throw new UsageError(
      'INVALID_THREATFOX_QUERY',
      `Invalid ThreatFox ${name}: expected a non-empty value.`,
    );
  }
}

/** Replaces every copy of `secret` in `text` with {@link REDACTED_KEY}. */
export function redactSecret(text: string, secret: string): string {
  if (secret === '' || !text.includes(secret)) return text;
  return text.split(secret).join(REDACTED_KEY);
}
