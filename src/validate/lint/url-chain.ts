/**
 * Builds the fixes for a column that contains a JSON array of URLs, such as UrlClickEvents'
 * UrlChain, whose values read `["https://t.co/x","https://evil.com/a"]`. A comparison of the
 * whole value compares that array text with one URL, so each fix compares the URLs one by one
 * with mv-apply, as the generated UrlClickEvents queries do.
 */

/** Name of the column that contains one URL of the chain inside the suggested mv-apply. */
export const CHAIN_URL = 'ChainUrl';
/** Name of the column that counts the URLs that meet the condition of a negated fix. */
export const CHAIN_MATCHES = 'ChainMatches';

/**
 * Returns whether `left` names a column of URL arrays.
 */
// NOTE: a column is taken as an array of URLs by its name (one that ends in "Chain"), because
// the lint checks read no table schema.
export function isChainColumn(left: string): boolean {
  return /chain$/i.test(left);
}

/**
 * Returns the mv-apply line that replaces a where on the chain column `left`. `condition`
 * compares ChainUrl, or UrlHost when `hostExpression` computes UrlHost from ChainUrl. A
 * positive fix keeps an event when at least one URL of its chain meets the condition. A
 * negated fix keeps it only when none does: it counts those URLs and keeps a count of 0.
 */
// NOTE: Kusto's documentation does not say whether mv-apply runs the subquery of a negated fix
// on an empty chain, so an event whose UrlChain is empty or missing may be dropped by it.
export function chainFix(
  left: string,
  condition: string,
  options: { negated: boolean; hostExpression?: string },
): string {
  const extend = options.hostExpression ? `extend UrlHost = ${options.hostExpression} | ` : '';
  const expand = `| mv-apply ${CHAIN_URL} = parse_json(${left}) to typeof(string) on (${extend}`;
  if (options.negated) {
    return (
      `${expand}summarize ${CHAIN_MATCHES} = countif(${condition})) ` +
      `| where ${CHAIN_MATCHES} == 0`
    );
  }
  return `${expand}where ${condition} | take 1)`;
}

/** Returns the sentence that explains why a fix on a chain column compares its URLs one by one. */
export function chainIntro(left: string): string {
  return `${left} contains a JSON array of URLs, so compare each URL:`;
}
