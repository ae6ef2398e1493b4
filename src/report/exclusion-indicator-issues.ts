/**
 * Warnings for user exclusions that remove a pack's own indicator hits, such as
 * `DestinationIP == "45.9.148.10"` in a pack that hunts 45.9.148.10. Such an exclusion makes the
 * hunt silently miss the C2 traffic it is for, so the build names it, with the values it removes.
 */
import type { Hunt } from '../compile/ir.js';
import { findRemovedRowKeys, indicatorsOwningRows } from '../compile/removed-indicator-hits.js';
import type { HuntpackIssue } from '../errors.js';
import { defang } from '../indicators/defang.js';
import type { Indicator } from '../indicators/model.js';
import type { Scenario } from '../pipeline/scenarios.js';

/** Maximum removed indicator values a warning quotes. It gives the number of the others. */
const QUOTED_VALUES = 3;

/**
 * Returns one `EXCLUSION_REMOVES_INDICATOR` warning for each user exclusion that surely removes
 * the own hit of at least one of the pack's indicators in a hunt it applies to (see
 * `findRemovedRowKeys`). Scenarios without a source, the built-in ones, are not checked.
 */
export function exclusionIndicatorIssues(
  hunts: readonly Hunt[],
  indicators: readonly Indicator[],
  userScenarios: readonly Scenario[],
  pack: string,
): HuntpackIssue[] {
  const issues: HuntpackIssue[] = [];
  for (const scenario of userScenarios) {
    if (!scenario.source) continue;
    const applied = hunts.filter((hunt) => hunt.exclusions.some((e) => e.id === scenario.id));
    const rows = findRemovedRowKeys(applied, scenario.filter);
    const removed = indicatorsOwningRows(indicators, rows);
    if (removed.length === 0) continue;
    const labels = [...new Set(rows.map((row) => row.label))].sort();
    issues.push({
      code: 'EXCLUSION_REMOVES_INDICATOR',
      severity: 'warning',
      message: removalMessage(scenario.id, pack, removed, indicators.length, labels),
      source: scenario.source,
    });
  }
  return issues;
}

function removalMessage(
  id: string,
  pack: string,
  removed: readonly Indicator[],
  total: number,
  labels: readonly string[],
): string {
  const quoted = removed.slice(0, QUOTED_VALUES).map(defang);
  const more = removed.length - quoted.length;
  const values = quoted.join(', ') + (more > 0 ? ` and ${more} more` : '');
  const share = removed.length === total ? `all ${total}` : `${removed.length} of the ${total}`;
  const branches = labels.map((label) => JSON.stringify(label)).join(', ');
  const onHits = labels.length === 1 ? `MatchedOn ${branches}` : `MatchedOn one of ${branches}`;
  const spare =
    labels.length === 1 ? `and MatchedOn != ${branches}` : `and MatchedOn !in (${branches})`;
  return (
    `exclusion "${id}" removes the hits on the indicator itself, with ${onHits}, for ${share} ` +
    `indicators of pack ${pack} (${values}), so the hunts miss that traffic. An ` +
    "exclusion should remove benign events, never the indicator's own hits: narrow the filter, " +
    `or to keep those hits add: ${spare}.`
  );
}
