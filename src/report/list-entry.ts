/**
 * The allowlist entry behind an indicator set aside, as reports and indicators.csv show it.
 */
import { defangDots } from '../indicators/defang.js';
import { isRegexEntry } from '../pipeline/allowlist/user-list.js';

/**
 * Returns the entry defanged like the indicators, because it can be an indicator's own address
 * or name. A regular expression is shown as written, since `[.]` would change its meaning.
 */
export function defangEntry(entry: string): string {
  return isRegexEntry(entry) ? entry : defangDots(entry);
}
