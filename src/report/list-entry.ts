/**
 * The allowlist entry behind an indicator set aside, as reports and indicators.csv show it.
 */
import { defangDots } from '../indicators/defang.js';
import { defangText } from '../indicators/defang-text.js';
import { isRegexEntry } from '../pipeline/allowlist/user-list.js';

/**
 * Returns the entry defanged like the indicators, because it can be an indicator's own address
 * or name. In a regular expression only the names, addresses and URLs written out whole are
 * defanged, as in free text, so `^bespoke.*\.co\.uk$` stays as written but the live name in
 * `regex:c2.duckdns.org` does not.
 */
export function defangEntry(entry: string): string {
  return isRegexEntry(entry) ? defangText(entry) : defangDots(entry);
}
