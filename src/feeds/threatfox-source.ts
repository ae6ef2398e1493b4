/**
 * `threatfox:` build inputs: fetches the query through the ThreatFox client and hands the response
 * to the API-response reader as an input named by the source text, such as `threatfox:days=3`.
 */
import { Readable } from 'node:stream';
import { ConfigError, quoteValue, type HuntpackIssue } from '../errors.js';
import type { OpenedInputs } from './input.js';
import { openOnce } from './input.js';
import { fetchThreatFox, type ThreatFoxClientOptions } from './threatfox-api.js';
import { THREATFOX_AUTH_KEY_ENV } from './threatfox-api-checks.js';
import { parseThreatFoxSource } from './threatfox-query.js';

export { isThreatFoxSource } from './threatfox-query.js';

/** Client settings for `threatfox:` inputs; the Auth-Key is required once such an input appears. */
export type ThreatFoxSourceOptions = Partial<ThreatFoxClientOptions>;

/**
 * Fetches a `threatfox:` source and returns it as one input in the API-response format. Issues that
 * the reader cannot see in the response body (a reached limit, an echoed key) go to `report`. The
 * `no_result` info is left to the reader, which reports it from the response body itself.
 *
 * @throws UsageError for a malformed source, ConfigError for a missing or rejected Auth-Key, and
 *   ThreatFoxApiError (a FeedParseError, so `readFeeds` records it and goes on) when the request
 *   fails.
 */
export async function openThreatFoxSource(
  source: string,
  options: ThreatFoxSourceOptions | undefined,
  report: (issue: HuntpackIssue) => void,
): Promise<OpenedInputs> {
  const query = parseThreatFoxSource(source);
  if (!options?.authKey) {
    throw new ConfigError(
      'THREATFOX_AUTH_KEY_MISSING',
      `Input ${quoteValue(source)} needs a ThreatFox Auth-Key, but none was given: set ${THREATFOX_AUTH_KEY_ENV}. Get a free key at https://auth.abuse.ch/.`,
      { source: { file: source } },
    );
  }
  const response = await fetchThreatFox(query, {
    ...options,
    authKey: options.authKey,
    sourceName: source,
  });
  for (const issue of response.issues) {
    if (issue.code !== 'NO_RESULT') report(issue);
  }
  const input = openOnce(source, () =>
    Promise.resolve(Readable.from([Buffer.from(response.body, 'utf8')])),
  );
  return { inputs: [input], close: async () => {} };
}
