/**
 * The `--state` and `--only-new` step of `huntpack build`: compares this run's indicators with
 * the state file that earlier runs saved, and saves this run to it.
 */
import { resolve } from 'node:path';
import type { IndicatorFilterOptions } from '../indicators/filter.js';
import type { Indicator } from '../indicators/model.js';
import type { CollectResult } from '../pipeline/collect.js';
import {
  compareWithHistory,
  describeRunCoverage,
  familyKeyOf,
  groupByFamilyKey,
  keepNewIndicators,
  loadHistory,
  migrateFolderKeys,
  saveHistory,
  updateHistory,
  type FamilyHistoryDiff,
  type RunCoverage,
  type RunHistory,
} from '../pipeline/history.js';
import type { FilteredCollectResult } from './build-filter.js';
import type { PackSummary } from './build-write-packs.js';
import type { CliIo } from './io.js';
import { displayPath } from './text.js';

/**
 * This run compared with the `--state` file. Without that option, `stateFile`, `history`,
 * `coverage` and `changes` are undefined and `kept` contains every indicator given.
 */
export interface BuildHistory {
  stateFile: string | undefined;
  history: RunHistory | undefined;
  coverage: RunCoverage | undefined;
  changes: Map<string, FamilyHistoryDiff> | undefined;
  /** The indicators to hunt: with --only-new, only those that the state does not list. */
  kept: Indicator[];
  /** Indicators that --only-new left out, counted without their copies for other families. */
  alreadyHunted: number;
  /** Inputs that may be incomplete, each with the reason. */
  incomplete: Map<string, string>;
  /** The incomplete inputs as the messages show them: path and reason. */
  incompleteNames: string[];
}

/** A family of the state without a pack in this run, which has removed or expired indicators. */
export interface GoneFamily {
  family: string;
  removed: number;
  expired: number;
  removedIndicators: string[];
  expiredIndicators: string[];
}

/**
 * Issue codes that report an input which may have lost rows, with the reason the summary gives.
 * A trailer whose count differs from the rows read may follow a cut or an edit, so it counts too.
 */
const TRUNCATION_REASONS = new Map([
  ['MISSING_TRAILER', 'may be cut short'],
  ['TRUNCATED_GZIP', 'may be cut short'],
  ['ENTRY_COUNT_MISMATCH', 'has fewer or more rows than its trailer declares'],
]);

/**
 * Returns the inputs that could not be read, may have been cut short, or gave no rows, such as
 * a failed download saved as an empty file, each with the reason.
 */
function incompleteInputs(collected: CollectResult): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const file of collected.perFile) {
    if (file.failed) reasons.set(file.file, 'could not be read');
    else if (file.rowsRead === 0) reasons.set(file.file, 'no rows read');
  }
  for (const issue of collected.issues) {
    const file = issue.source?.file;
    const reason = TRUNCATION_REASONS.get(issue.code);
    if (reason !== undefined && file && !reasons.has(file)) reasons.set(file, reason);
  }
  return reasons;
}

/**
 * Loads the state file of `--state` and compares `indicators` with it. With `--only-new`, the
 * result keeps only the indicators that the state does not list.
 */
export async function compareBuildWithHistory(
  collected: FilteredCollectResult,
  indicators: Indicator[],
  flags: { state?: string; onlyNew?: boolean },
  filters: IndicatorFilterOptions,
  now: Date,
  io: CliIo,
): Promise<BuildHistory> {
  let kept = indicators;
  const copies = collected.familyCopies;

  const stateFile = flags.state === undefined ? undefined : resolve(io.cwd, flags.state);
  const loaded = stateFile === undefined ? undefined : await loadHistory(stateFile);
  if (
    stateFile &&
    loaded?.lastRun === undefined &&
    Object.keys(loaded?.families ?? {}).length === 0
  ) {
    // A saved state always has a last run, so this one is missing or empty.
    const hunted = flags.onlyNew ? ', and --only-new hunts all of them' : '';
    io.stderr.write(
      `huntpack: note: ${stateFile} is missing or empty, so this run starts a new state and every indicator is new${hunted}.\n`,
    );
  }

  const coverage =
    loaded && collected.accepted
      ? describeRunCoverage(collected.accepted, filters.families, now)
      : undefined;
  // A version 1 state is keyed by pack folder name, so this run's feeds decide which family is
  // which.
  const history = loaded && coverage ? migrateFolderKeys(loaded, coverage.feedIndicators) : loaded;

  let changes: Map<string, FamilyHistoryDiff> | undefined;
  let alreadyHunted = 0;
  // A feed that may be cut short or is empty would mark the indicators it lost as removed, so
  // its run reports no removals and leaves the state as it was.
  const incomplete = incompleteInputs(collected);
  const incompleteNames = [...incomplete].map(
    ([input, reason]) => `${displayPath(input, io.cwd)} (${reason})`,
  );
  if (history) {
    changes = compareWithHistory(groupByFamilyKey(kept), history, {
      now,
      maxAgeDays: filters.maxAgeDays,
      coverage,
    });
    if (incomplete.size > 0) {
      for (const diff of changes.values()) {
        diff.removed = [];
        diff.removalsUnknown = incompleteNames.join(', ');
      }
    }
    if (flags.onlyNew) {
      const fresh = keepNewIndicators(kept, changes);
      alreadyHunted = copies.countDistinct(kept) - copies.countDistinct(fresh);
      kept = fresh;
    }
  }
  return {
    stateFile,
    history,
    coverage,
    changes,
    kept,
    alreadyHunted,
    incomplete,
    incompleteNames,
  };
}

/**
 * Returns the families of the state that have removed or expired indicators but none of `packs`.
 */
export function findGoneFamilies(
  changes: Map<string, FamilyHistoryDiff> | undefined,
  packs: readonly PackSummary[],
): GoneFamily[] {
  // A family of the state may get no pack in this run, because no feed names it any more or
  // --only-new found nothing new in it. No report then lists its removals, so the summary names
  // such families and --json lists their indicators.
  const written = new Set(
    packs.map((pack) => familyKeyOf({ name: pack.family, malpedia: pack.malpedia, aliases: [] })),
  );
  return [...(changes ?? [])]
    .filter(
      ([family, diff]) => !written.has(family) && diff.removed.length + diff.expired.length > 0,
    )
    .map(([family, diff]) => ({
      family,
      removed: diff.removed.length,
      expired: diff.expired.length,
      // No report lists them, so --json does.
      removedIndicators: diff.removed,
      expiredIndicators: diff.expired,
    }));
}

/**
 * Saves this run in the state file, unless an input may be incomplete. Returns the warning that
 * it writes in that case, or undefined when there is no state file or it was saved.
 */
export async function saveBuildHistory(
  { stateFile, history, coverage, incomplete, incompleteNames }: BuildHistory,
  allowed: readonly Indicator[],
  now: Date,
  io: CliIo,
): Promise<string | undefined> {
  let stateNotUpdated: string | undefined;
  if (stateFile && history && incomplete.size === 0) {
    await saveHistory(
      stateFile,
      updateHistory(history, groupByFamilyKey(allowed), { now, coverage }),
    );
  } else if (stateFile && history) {
    stateNotUpdated =
      `${stateFile} was not updated, because these inputs may be incomplete: ` +
      `${incompleteNames.join(', ')}. Rerun with whole feeds to record this run.`;
    io.stderr.write(`huntpack: warning: ${stateNotUpdated}\n`);
  }
  return stateNotUpdated;
}
