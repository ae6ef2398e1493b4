/**
 * A client for the ThreatFox API (https://threatfox.abuse.ch/api/): one POST of a JSON query to
 * `https://threatfox-api.abuse.ch/api/v1/` with the `Auth-Key` header, retried on rate limits,
 * server errors, timeouts and network errors.
 *
 * The Auth-Key goes into that header and nowhere else. Messages never contain it, and any copy of
 * it in a response (a proxy echoing the request, say) is replaced before the text is kept.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { HuntpackIssue } from '../errors.js';
import { HUNTPACK_VERSION } from '../version.js';
import {
  checkAuthKey,
  checkBaseUrl,
  checkQuery,
  REDACTED_KEY,
  redactSecret,
} from './threatfox-api-checks.js';
import {
  CutShortResponse,
  interpretResponse,
  parseRetryAfter,
  rejectedKeyError,
  responseTooLargeError,
  retriesExhaustedError,
  unexpectedHttpError,
  type AttemptFailure,
} from './threatfox-api-response.js';
import {
  formatThreatFoxSource,
  THREATFOX_API_URL,
  type ThreatFoxQuery,
} from './threatfox-query.js';

export { ThreatFoxApiError } from './threatfox-api-response.js';
export { THREATFOX_API_URL, type ThreatFoxQuery } from './threatfox-query.js';

/**
 * Default maximum size of a response body, in MiB. A `get_iocs` response for 7 days, the largest
 * query, is an estimated few MB, so this limit stops only a broken proxy or a wrong --api-url.
 */
export const THREATFOX_MAX_RESPONSE_MIB = 128;

const MIB = 1024 * 1024;

export interface ThreatFoxClientOptions {
  /** The abuse.ch Auth-Key. Required; printable ASCII without spaces. */
  authKey: string;
  /** API endpoint. Default {@link THREATFOX_API_URL}. Plain `http:` is accepted only on loopback. */
  baseUrl?: string;
  /** Time limit of one attempt, covering the request and the whole response body. Default 30 000 ms. */
  timeoutMs?: number;
  /** Attempts in total, the first one included. Default 4. */
  maxAttempts?: number;
  /**
   * Maximum size of a response body in bytes, both as sent (Content-Length) and after
   * decompression. Default {@link THREATFOX_MAX_RESPONSE_MIB} MiB. A larger body is not retried.
   */
  maxResponseBytes?: number;
  /** Backoff before the second attempt; it doubles for each later one. Default 1 000 ms. */
  retryBaseDelayMs?: number;
  /**
   * Maximum wait between attempts. A `Retry-After` longer than this ends the retries with an
   * error that says when to try again. Default 60 000 ms.
   */
  maxRetryDelayMs?: number;
  /** Name of the request in messages and issue locations. Default: the `threatfox:` source text. */
  sourceName?: string;
  /** Called before each wait between attempts, so a command can log the retry. */
  onRetry?: (event: ThreatFoxRetryEvent) => void;
  /** Waits between attempts. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Random number in [0, 1) for the backoff jitter. Default `Math.random`. */
  random?: () => number;
}

/** One retry about to happen. */
export interface ThreatFoxRetryEvent {
  /** The attempt that failed, from 1. */
  attempt: number;
  maxAttempts: number;
  /** Wait before the next attempt, in milliseconds. */
  delayMs: number;
  /** Reason the attempt failed, such as `HTTP 503` or `timed out after 30 s`. */
  reason: string;
}

/** Result of a query whose response has `query_status` `ok` or `no_result`. */
export interface ThreatFoxResponse {
  query: ThreatFoxQuery;
  /** Response body as received, in the API-response format, with any copy of the Auth-Key replaced. */
  body: string;
  queryStatus: 'ok' | 'no_result';
  /** Items in `data`: 0 for `no_result`. */
  itemCount: number;
  /** Attempts made, from 1 to `maxAttempts`. */
  attempts: number;
  /** `NO_RESULT` (info), `THREATFOX_LIMIT_REACHED` and `THREATFOX_KEY_IN_RESPONSE` (warnings). */
  issues: HuntpackIssue[];
}

interface ClientSettings {
  url: URL;
  authKey: string;
  sourceName: string;
  timeoutMs: number;
  maxAttempts: number;
  maxResponseBytes: number;
  retryBaseDelayMs: number;
  maxRetryDelayMs: number;
}

type AttemptOutcome =
  | { kind: 'response'; status: number; text: string; keyEchoed: boolean; location: string | null }
  | { kind: 'too-large'; detail: string }
  | AttemptFailure;

/**
 * Sends one query to the ThreatFox API and returns the checked response.
 *
 * @throws UsageError for an invalid query (days outside 1 to 7, limit outside 1 to 1000, blank text).
 * @throws ConfigError for a missing or malformed Auth-Key, a bad base URL, or a key the API rejects.
 * @throws ThreatFoxApiError (a FeedParseError) when every attempt failed, the API rejected the
 *   query, or the response is not a ThreatFox response body.
 */
export async function fetchThreatFox(
  query: ThreatFoxQuery,
  options: ThreatFoxClientOptions,
): Promise<ThreatFoxResponse> {
  checkQuery(query);
  const settings: ClientSettings = {
    url: checkBaseUrl(options.baseUrl ?? THREATFOX_API_URL),
    authKey: checkAuthKey(options.authKey),
    sourceName: options.sourceName ?? formatThreatFoxSource(query),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxAttempts: Math.max(1, options.maxAttempts ?? 4),
    maxResponseBytes: options.maxResponseBytes ?? THREATFOX_MAX_RESPONSE_MIB * MIB,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 1_000,
    maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
  };
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  const random = options.random ?? Math.random;
  const body = JSON.stringify(requestBody(query));

  let failure: AttemptFailure | undefined;
  for (let attempt = 1; attempt <= settings.maxAttempts; attempt += 1) {
    let outcome = await sendOnce(settings, body);
    if (outcome.kind === 'response') {
      try {
        return responseFrom(outcome, query, attempt, settings);
      } catch (error) {
        // A body cut short is retried like one shorter than its Content-Length, which fetch
        // reports as a network error.
        if (!(error instanceof CutShortResponse)) throw error;
        outcome = { kind: 'failure', cause: 'truncated', reason: error.reason };
      }
    }
    if (outcome.kind === 'too-large') {
      throw responseTooLargeError(
        settings.sourceName,
        settings.url.href,
        formatMib(settings.maxResponseBytes),
        outcome.detail,
      );
    }
    failure = outcome;
    if (attempt === settings.maxAttempts) break;

    const delayMs = retryDelay(attempt, outcome, settings, random);
    options.onRetry?.({
      attempt,
      maxAttempts: settings.maxAttempts,
      delayMs,
      reason: outcome.reason,
    });
    await sleep(delayMs);
  }
  throw retriesExhaustedError(failure!, settings.sourceName, settings.maxAttempts);
}

/** Builds the JSON body of a query, with the field names the API documents. */
function requestBody(query: ThreatFoxQuery): Record<string, string | number> {
  switch (query.kind) {
    case 'recent':
      return { query: 'get_iocs', days: query.days };
    case 'family':
      return { query: 'malwareinfo', malware: query.malware, limit: query.limit };
    case 'tag':
      return { query: 'taginfo', tag: query.tag, limit: query.limit };
    case 'search':
      return { query: 'search_ioc', search_term: query.term };
  }
}

/** Makes one attempt. Returns a response to check, or a failure that may be retried. */
async function sendOnce(settings: ClientSettings, body: string): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
  try {
    const response = await fetch(settings.url, {
      method: 'POST',
      headers: {
        'Auth-Key': settings.authKey,
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'User-Agent': `huntpack/${HUNTPACK_VERSION}`,
      },
      body,
      signal: controller.signal,
      // A followed redirect would send the Auth-Key header to whatever host it names.
      redirect: 'manual',
    });
    const declared = Number(response.headers.get('content-length') ?? '');
    if (declared > settings.maxResponseBytes) {
      await response.body?.cancel();
      return { kind: 'too-large', detail: `(Content-Length of ${formatMib(declared)})` };
    }
    const raw = await readBody(response, settings.maxResponseBytes);
    if (raw === undefined) return { kind: 'too-large', detail: 'after decompression' };
    const text = redactSecret(raw, settings.authKey);
    const status = response.status;
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
      return {
        kind: 'failure',
        cause: status === 429 ? 'rate-limited' : 'server',
        status,
        reason: `HTTP ${status}`,
        retryAfterMs,
        text,
      };
    }
    const header = response.headers.get('location');
    const location = header === null ? null : redactSecret(header, settings.authKey);
    return { kind: 'response', status, text, keyEchoed: text !== raw, location };
  } catch (error) {
    if (controller.signal.aborted) {
      return {
        kind: 'failure',
        cause: 'timeout',
        reason: `timed out after ${settings.timeoutMs / 1000} s`,
      };
    }
    return {
      kind: 'failure',
      cause: 'network',
      reason: describeNetworkError(error, settings.authKey),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads a response body as UTF-8 text, as `Response.text()` does, but stops and returns undefined
 * once more than `maxBytes` arrive. Fetch has already decompressed the bytes counted here, so
 * the limit applies to the decompressed size.
 * NOTE: compressed bytes sent without a Content-Length are bounded only by the attempt's time
 * limit.
 */
async function readBody(response: Response, maxBytes: number): Promise<string | undefined> {
  if (response.body === null) return '';
  const decoder = new TextDecoder();
  const parts: string[] = [];
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** Formats a byte count in MiB: whole MiB as `128 MiB`, others with one decimal. */
function formatMib(bytes: number): string {
  const mib = bytes / MIB;
  return Number.isInteger(mib) ? `${mib} MiB` : `${mib.toFixed(1)} MiB`;
}

function responseFrom(
  outcome: Extract<AttemptOutcome, { kind: 'response' }>,
  query: ThreatFoxQuery,
  attempts: number,
  settings: ClientSettings,
): ThreatFoxResponse {
  const { status, text } = outcome;
  const sourceName = settings.sourceName;
  if (status === 401 || status === 403) throw rejectedKeyError(sourceName, `HTTP ${status}`, text);
  if (status < 200 || status > 299)
    throw unexpectedHttpError(sourceName, status, text, outcome.location);
  const checked = interpretResponse(text, query, sourceName);
  const issues = [...checked.issues];
  if (outcome.keyEchoed) {
    issues.push({
      code: 'THREATFOX_KEY_IN_RESPONSE',
      severity: 'warning',
      message: `The response to ${sourceName} contained the Auth-Key, which was replaced by ${JSON.stringify(REDACTED_KEY)}. Something between huntpack and ThreatFox echoes request headers; check --api-url and any proxy.`,
      source: { file: sourceName },
    });
  }
  return {
    query,
    body: text,
    queryStatus: checked.queryStatus,
    itemCount: checked.itemCount,
    attempts,
    issues,
  };
}

/**
 * Returns the wait before the next attempt: exponential backoff with jitter, and at least the
 * server's `Retry-After`.
 *
 * @throws ThreatFoxApiError when `Retry-After` requests a longer wait than `maxRetryDelayMs`.
 */
function retryDelay(
  attempt: number,
  failure: AttemptFailure,
  settings: ClientSettings,
  random: () => number,
): number {
  const backoff = Math.min(
    settings.maxRetryDelayMs,
    settings.retryBaseDelayMs * 2 ** (attempt - 1),
  );
  // Equal jitter: half the backoff is fixed, half random, so parallel clients spread out.
  const jittered = backoff / 2 + random() * (backoff / 2);
  if (failure.retryAfterMs === undefined) return Math.round(jittered);
  if (failure.retryAfterMs > settings.maxRetryDelayMs) {
    throw retriesExhaustedError(failure, settings.sourceName, attempt);
  }
  return Math.round(Math.max(failure.retryAfterMs, jittered));
}

/** Describes a fetch failure by its system error code, such as `ECONNREFUSED`. */
function describeNetworkError(error: unknown, authKey: string): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const message =
    typeof cause?.message === 'string'
      ? cause.message
      : error instanceof Error
        ? error.message
        : String(error);
  const text = redactSecret(
    code && !message.includes(code) ? `${code}: ${message}` : message,
    authKey,
  );
  return `network error (${text})`;
}
