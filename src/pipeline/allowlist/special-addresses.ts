/**
 * Finds hunted addresses in special-purpose ranges: private, loopback, link-local, multicast,
 * documentation and the other ranges of `data/allowlists/special-ranges.json`.
 *
 * Every reader keeps such an address as the feed writes it, and the built-in allowlists set it
 * aside with the list and range named in the pack. Only when those lists are turned off does one
 * reach a hunt, where it matches traffic inside the hunting network, so `build` and `hunt --feed`
 * warn then.
 */
import { defang } from '../../indicators/defang.js';
import { indicatorKey, type Indicator } from '../../indicators/model.js';
import type { HuntpackIssue } from '../../errors.js';
import type { Allowlists } from './allowlists.js';
import { SPECIAL_RANGES } from './builtin-catalog.js';
import { specialRangesSource } from './builtin-sources.js';
import { parseIpNumber } from './ip-number.js';

/** Maximum special-purpose addresses that the warning names. */
const MAX_ADDRESSES_NAMED = 10;

/**
 * Returns the SPECIAL_ADDRESS_HUNTED warning of the indicators that `allowlists` kept, or
 * undefined when the special-ranges list is among them, because that list sets every such
 * address aside and the scan could find nothing.
 */
export function specialAddressWarningAfter(
  allowlists: Allowlists | undefined,
  hunted: readonly Indicator[],
): HuntpackIssue | undefined {
  if (allowlists?.sources.some((source) => source.name === SPECIAL_RANGES)) return undefined;
  return specialAddressWarning(hunted);
}

/**
 * Builds a SPECIAL_ADDRESS_HUNTED warning that counts the `ip` and `ip-port` indicators in
 * `hunted` whose address lies in a special-purpose range, and names the first of them with
 * their range. Returns undefined when there is none. Family copies of one indicator count once.
 */
export function specialAddressWarning(hunted: readonly Indicator[]): HuntpackIssue | undefined {
  const source = specialRangesSource();
  const ranges = source.compile();
  const seen = new Set<string>();
  const named: string[] = [];
  for (const indicator of hunted) {
    if (indicator.kind !== 'ip' && indicator.kind !== 'ip-port') continue;
    const key = indicatorKey(indicator);
    if (seen.has(key)) continue;
    const address = parseIpNumber(indicator.address);
    const entry =
      address && ranges.match({ kind: indicator.kind, value: indicator.value, address });
    if (entry === undefined) continue;
    seen.add(key);
    if (named.length < MAX_ADDRESSES_NAMED) {
      const range = source.describe(entry).replace(/^a reserved /, '');
      named.push(`${defang(indicator)} in the ${range}`);
    }
  }
  if (seen.size === 0) return undefined;

  const more = seen.size > named.length ? `, and ${seen.size - named.length} more` : '';
  return {
    code: 'SPECIAL_ADDRESS_HUNTED',
    severity: 'warning',
    message:
      `${seen.size} ${seen.size === 1 ? 'indicator is' : 'indicators are'} hunted although ` +
      'the address lies in a special-purpose range that the internet does not route: ' +
      `${named.join(', ')}${more}. The built-in allowlists set such addresses aside, but ` +
      '--no-builtin-allowlists or --disable-allowlist turned the lists that cover them off. ' +
      'A hunt for one matches traffic inside your own network, so check that you mean to hunt ' +
      'it, or turn the lists back on.',
  };
}
