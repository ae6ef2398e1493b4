/**
 * The allowlist entry behind an indicator set aside, as reports and indicators.csv show it.
 */
import { defangDots } from '../indicators/defang.js';
import { defangHostText, defangText, defangUrlText } from '../indicators/defang-text.js';
import type { Indicator } from '../indicators/model.js';
import { isRegexEntry } from '../pipeline/allowlist/user-list.js';

/**
 * Returns the entry defanged like the indicators, because it can be an indicator's own address
 * or name. An IPv6 address or block is bracketed with each colon as `[:]`, as in
 * `[2001[:]db8[:][:]]/32`, and a URL gets `hxxp://` and a defanged host, as in the Value column.
 * In a regular expression only the names, addresses and URLs written out whole are defanged, as
 * in free text, so `^bespoke.*\.co\.uk$` stays as written but the live name in
 * `regex:c2.duckdns.org` does not.
 */
export function defangEntry(entry: string): string {
  if (isRegexEntry(entry)) return defangText(entry);
  if (entry.includes('://')) return defangUrlText(entry);
  // Entries other than URLs contain a colon only in an IPv6 address, such as 2001:db8::/32.
  const slash = entry.indexOf('/');
  const address = slash < 0 ? entry : entry.slice(0, slash);
  if (address.includes(':')) return defangHostText(address) + entry.slice(address.length);
  return defangDots(entry);
}

/**
 * Defangs the indicator's host or address and the list entry where an allowlist reason names
 * them, as in "the host sync.1rx.io is a popular site". Other words of the reason stay as written.
 */
export function defangReason(indicator: Indicator, entry: string, reason: string): string {
  const host =
    indicator.kind === 'url'
      ? indicator.host
      : indicator.kind === 'ip-port'
        ? indicator.address
        : indicator.value;
  return reason.split(host).join(defangHostText(host)).split(entry).join(defangEntry(entry));
}
