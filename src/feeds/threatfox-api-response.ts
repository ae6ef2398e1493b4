/**
 * Checking ThreatFox API responses, and the errors the client throws. Every text quoted here has
 * already had the Auth-Key redacted by the client.
 *
 * The API returns `{"query_status": "...", "data": ...}` with HTTP 200 even for a rejected query.
 * `ok` carries a list of indicators in `data`, `no_result` carries none, and values such as
 * `illegal_days`, `illegal_tag`, `unknown_malware` or `illegal_search_term` reject the query.
 * A rejected Auth-Key comes back as HTTP 401 or 403, or as a status such as `unknown_auth_key`.
 */
import { ConfigError, FeedParseError, quoteValue, type HuntpackIssue } from '../errors.js';
import type { ThreatFoxQuery } from './threatfox-query.js';
import { showJsonValue } from './threatfox-record.js';

/** A ThreatFox request that failed: no usable response after every attempt, or a rejected query. */
export class ThreatFoxApiError extends FeedParseError {}

/** A 2xx response whose JSON ends early, which the client retries. */
export class CutShortResponse extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CutShortResponse';
  }
}

/** Failure of one attempt, for the retry decision and the final message. */
export interface AttemptFailure {
  kind: 'failure';
  cause: 'rate-limited' | 'server' | 'timeout' | 'network' | 'truncated';
  /** Short reason for logs, such as `HTTP 503` or `timed out after 30 s`. */
  reason: string;
  status?: number;
  /** The server's `Retry-After`, in milliseconds from now. */
  retryAfterMs?: number;
  /** Response body, when there was one. */
  text?: string;
}

/** Summary of a response that passed the checks. */
export interface CheckedResponse {
  queryStatus: 'ok' | 'no_result';
  itemCount: number;
  issues: HuntpackIssue[];
}

/** Meaning of each status that rejects a query, and the next step. */
const QUERY_STATUS_HINTS: Readonly<Record<string, string>> = {
  illegal_days: 'days must be a whole number from 1 to 7',
  illegal_limit: 'the limit is outside what the API accepts; pass a smaller --limit',
  illegal_tag: 'the tag is not valid; check its spelling',
  unknown_tag: 'ThreatFox has no tag by that name; check its spelling and case',
  illegal_malware: 'the family name is not valid; check its spelling',
  unknown_malware:
    'ThreatFox has no family by that name; use the printable name (Remcos) or the Malpedia id (win.remcos)',
  illegal_search_term:
    'ThreatFox cannot search for that value; pass an IP address, domain, URL or hash',
  unknown_query: 'the server does not support this query; check --api-url',
};

/**
 * Checks the body of a 2xx response.
 *
 * @throws ConfigError when the status reports a rejected Auth-Key.
 * @throws CutShortResponse when the body is JSON that ends early.
 * @throws ThreatFoxApiError when the body is not JSON, has no `query_status`, has `ok` without a
 *   list in `data`, or has any other status.
 */
export function interpretResponse(
  text: string,
  query: ThreatFoxQuery,
  sourceName: string,
): CheckedResponse {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    if (endsEarly(text)) {
      const bytes = Buffer.byteLength(text, 'utf8');
      throw new CutShortResponse(
        `the response JSON ends early, after ${bytes} bytes, so it was cut short`,
      );
    }
    throw unexpectedResponse(
      sourceName,
      `is not JSON (it starts with ${quoteValue(text.trimStart())})`,
    );
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw unexpectedResponse(
      sourceName,
      `is a JSON ${Array.isArray(document) ? 'array' : typeof document}`,
    );
  }
  const { query_status: status, data } = document as { query_status?: unknown; data?: unknown };
  if (typeof status !== 'string') {
    throw unexpectedResponse(sourceName, 'has no query_status');
  }
  if (isKeyRejection(status))
    throw rejectedKeyError(sourceName, `query_status ${quoteValue(status)}`);
  if (status === 'no_result') {
    return {
      queryStatus: 'no_result',
      itemCount: 0,
      issues: [
        {
          code: 'NO_RESULT',
          severity: 'info',
          message: `ThreatFox returned no indicators for ${sourceName} (query_status "no_result").`,
          source: { file: sourceName },
        },
      ],
    };
  }
  if (status !== 'ok') throw rejectedQueryError(sourceName, status, data);
  if (!Array.isArray(data)) {
    throw unexpectedResponse(
      sourceName,
      `has query_status "ok" but its data is ${showJsonValue(data ?? null)}, not a list`,
    );
  }
  const misfit = data.findIndex(
    (item) => typeof item !== 'object' || item === null || Array.isArray(item),
  );
  if (misfit >= 0) {
    throw unexpectedResponse(
      sourceName,
      `has query_status "ok" but item ${misfit + 1} of data is ${showJsonValue(data[misfit])}, not an object`,
    );
  }
  return {
    queryStatus: 'ok',
    itemCount: data.length,
    issues: limitIssues(query, data.length, sourceName),
  };
}

/** Warns when a family or tag query returned as many items as it asked for, so some may be missing. */
function limitIssues(query: ThreatFoxQuery, count: number, sourceName: string): HuntpackIssue[] {
  if ((query.kind !== 'family' && query.kind !== 'tag') || count < query.limit) return [];
  return [
    {
      code: 'THREATFOX_LIMIT_REACHED',
      severity: 'warning',
      message: `ThreatFox returned ${count} indicators for ${sourceName}, the limit of the query, so older indicators may be missing. Raise the limit (at most 1000) or combine it with threatfox:days=N.`,
      source: { file: sourceName },
    },
  ];
}

function isKeyRejection(status: string): boolean {
  return /auth|unauthori[sz]ed|forbidden/i.test(status);
}

/** Builds the error for a rejected key, which is not retried because every attempt would fail alike. */
export function rejectedKeyError(sourceName: string, detail: string, text?: string): ConfigError {
  const status = text === undefined ? undefined : statusIn(text);
  const shown = status === undefined ? detail : `${detail}, query_status ${quoteValue(status)}`;
  return new ConfigError(
    'THREATFOX_AUTH_REJECTED',
    `ThreatFox rejected the Auth-Key for ${sourceName} (${shown}). Check THREATFOX_AUTH_KEY against the key shown at https://auth.abuse.ch/.`,
    { source: { file: sourceName } },
  );
}

/** Builds the error for an HTTP status that is neither success, 401, 403, 429 nor 5xx. */
export function unexpectedHttpError(
  sourceName: string,
  status: number,
  text: string,
  location: string | null,
): ThreatFoxApiError {
  const detail =
    status >= 300 && status < 400
      ? `HTTP ${status} redirect to ${quoteValue(location ?? '')}, which huntpack does not follow so that the Auth-Key goes to no other host. Point --api-url at the final address`
      : `HTTP ${status}${text.trim() ? ` with ${quoteValue(text.trim())}` : ''}. Check --api-url`;
  return new ThreatFoxApiError(
    'THREATFOX_HTTP_ERROR',
    `ThreatFox request for ${sourceName} failed: ${detail}.`,
    {
      source: { file: sourceName },
    },
  );
}

/**
 * Builds the error for a response body above the size limit, which is not retried because the
 * same server would most likely send the same body again.
 */
export function responseTooLargeError(
  sourceName: string,
  url: string,
  limit: string,
  detail: string,
): ThreatFoxApiError {
  return new ThreatFoxApiError(
    'THREATFOX_RESPONSE_TOO_LARGE',
    `The response to ${sourceName} from ${url} is larger than the limit of ${limit} ${detail}. Check --api-url and any proxy, or raise --max-size if the response is real.`,
    { source: { file: sourceName } },
  );
}

/** Builds the error after the last attempt failed, or when `Retry-After` requests too long a wait. */
export function retriesExhaustedError(
  failure: AttemptFailure,
  sourceName: string,
  attempts: number,
): ThreatFoxApiError {
  const codes: Record<AttemptFailure['cause'], string> = {
    'rate-limited': 'THREATFOX_RATE_LIMITED',
    server: 'THREATFOX_SERVER_ERROR',
    timeout: 'THREATFOX_TIMEOUT',
    network: 'THREATFOX_NETWORK_ERROR',
    truncated: 'THREATFOX_TRUNCATED_RESPONSE',
  };
  const wait =
    failure.retryAfterMs === undefined
      ? 'Try again later'
      : `The server asked to retry after ${Math.ceil(failure.retryAfterMs / 1000)} s; try again then`;
  const body = failure.text?.trim() ? ` with ${quoteValue(failure.text.trim())}` : '';
  return new ThreatFoxApiError(
    codes[failure.cause],
    `ThreatFox request for ${sourceName} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${failure.reason}${body}. ${wait}.`,
    { source: { file: sourceName } },
  );
}

function rejectedQueryError(sourceName: string, status: string, data: unknown): ThreatFoxApiError {
  const hint = QUERY_STATUS_HINTS[status] ?? 'check the query';
  const detail = typeof data === 'string' && data.trim() ? ` (data: ${quoteValue(data)})` : '';
  return new ThreatFoxApiError(
    'THREATFOX_QUERY_REJECTED',
    `ThreatFox rejected the query ${sourceName} with query_status ${quoteValue(status)}${detail}: ${hint}.`,
    { source: { file: sourceName } },
  );
}

function unexpectedResponse(sourceName: string, problem: string): ThreatFoxApiError {
  return new ThreatFoxApiError(
    'THREATFOX_UNEXPECTED_RESPONSE',
    `The response to ${sourceName} ${problem}: expected a ThreatFox response {"query_status": ..., "data": ...}. Check --api-url, or try again if a proxy interfered.`,
    { source: { file: sourceName } },
  );
}

/**
 * Tells whether `text` is the start of a JSON object that ends early, as a response cut short by
 * a dropped connection or a proxy is, given text that JSON.parse rejects. The check is lexical: brackets and strings must nest, and outside strings only
 * characters of numbers, `true`, `false` and `null` may appear.
 */
function endsEarly(text: string): boolean {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{')) return false;
  const open: string[] = [];
  let inString = false;
  for (let index = 0; index < trimmed.length; index += 1) {
    const char = trimmed[index]!;
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') open.push(char === '{' ? '}' : ']');
    else if (char === '}' || char === ']') {
      if (open.pop() !== char) return false;
      if (open.length === 0) return false;
    } else if (!/[\s\d.eE+\-,:truefalsn]/.test(char)) return false;
  }
  return inString || open.length > 0;
}

function statusIn(text: string): string | undefined {
  try {
    const status = (JSON.parse(text) as { query_status?: unknown }).query_status;
    return typeof status === 'string' ? status : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses `Retry-After`: delay seconds or an HTTP date (RFC 9110, section 10.2.3). Returns the
 * wait in milliseconds, or undefined when the header is absent or invalid.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
