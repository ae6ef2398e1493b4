/**
 * Run-to-run history for `--state FILE`: which indicators each family's pack had, and when, so a
 * build can report what is new, unchanged, expired or removed since the previous run.
 *
 * The state file is JSON, keyed by family key (the Malpedia id, else the lower-case name; see
 * {@link familyKeyOf}) and then by {@link indicatorKey}, so a family keeps its history when
 * the feed renames it or another family takes its folder name. It is written through a temporary
 * file and a rename, so a crash never leaves half a file. Version 1 files were keyed by pack
 * folder name; {@link migrateFolderKeys} moves them to family keys.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, fileReadReason, printable, quoteValue, systemMessage } from '../errors.js';
import { filterIndicators } from '../indicators/filter.js';
import { familyKeyOf, familyKeyText, UNKNOWN_FAMILY_NAME } from '../indicators/family-key.js';
import { indicatorKey, latestSighting, type Indicator } from '../indicators/model.js';
import { writeFileAtomic } from './atomic-write.js';

export { familyKeyOf, UNKNOWN_FAMILY_NAME };

/** The state file format this huntpack writes; it also reads version 1. */
export const HISTORY_VERSION = 2;

/** The earlier format, keyed by pack folder name instead of family key. */
const FOLDER_KEYED_VERSION = 1;

const DAY_MS = 24 * 60 * 60 * 1000;

/** History record of one indicator in one family. Times are ISO 8601 strings. */
export interface HistoryEntry {
  /** Start time of the first run whose filters and allowlists kept the indicator. */
  firstRun: string;
  /**
   * Start time of the latest run whose filters and allowlists kept the indicator. A run that left
   * it out while the feeds still had it leaves the entry as it was.
   */
  lastRun: string;
  /** The feed's last seen time, or its first seen time when it gives no last seen. */
  lastSeen?: string;
  /** The feed's expiry, such as STIX `valid_until`. */
  expires?: string;
  /** The confidence the latest run's pack gave the indicator. */
  confidence?: number;
  /** The threat type the latest run's pack gave the indicator. */
  threatType?: string;
}

/** An indicator of the history whose confidence or threat type differs in this run. */
export interface HistoryChange {
  key: string;
  /** The earlier and the new confidence, when they differ. */
  confidence?: [number | null, number | null];
  /** The earlier and the new threat type, when they differ. */
  threatType?: [string | null, string | null];
}

/** The content of a state file. */
export interface RunHistory {
  version: typeof HISTORY_VERSION;
  /** Start time of the latest saved run; absent before the first run. */
  lastRun?: string;
  /** Entries by family key, then by indicator key (`kind|value`). */
  families: Record<string, Record<string, HistoryEntry>>;
  /**
   * Set when the file was version 1, whose `families` are keyed by pack folder name until
   * {@link migrateFolderKeys} moves them. Never written.
   */
  keyedByFolder?: true;
}

/** Indicator keys of one family, split by how they compare with the history. Each list is sorted. */
export interface FamilyHistoryDiff {
  /** In this run and not in the history for this family. */
  new: string[];
  /** In this run and in the history, with the confidence and threat type recorded there. */
  unchanged: string[];
  /**
   * In this run and in the history, with another confidence or threat type than the history
   * records. A state written before huntpack recorded them has none, so its entries are unchanged.
   */
  changed: HistoryChange[];
  /** Past the expiry or older than `maxAgeDays`, whether or not this run has them. */
  expired: string[];
  /** In the history for this family, no longer in the feeds under this family, and not expired. */
  removed: string[];
  /**
   * The inputs that may be incomplete (they failed, may be cut short or gave no rows), when any
   * is. `removed` is then left empty, because a missing indicator may only be missing from them.
   */
  removalsUnknown?: string;
}

/**
 * The feeds and families of a run, beyond the indicators that passed its filters, so that an
 * indicator that left the feeds is distinguished from one that a filter or an allowlist left out.
 */
export interface RunCoverage {
  /** Every indicator of the feeds, by family key, before the filters and allowlists. */
  feedIndicators: ReadonlyMap<string, readonly Indicator[]>;
  /**
   * Family keys that the `--family` filter selects. Absent when the run selects every family.
   * Families outside this set stay in the history as they were.
   */
  families?: ReadonlySet<string>;
}

export interface CompareHistoryOptions {
  /** Start time of this run. */
  now: Date;
  /**
   * Age limit in days for the last seen time (or, without one, the first seen time). Indicators
   * without either date, and runs without this option, expire only by their expiry date.
   */
  maxAgeDays?: number;
  /**
   * The feeds and families of the run. Without it, the run covers every family, and each history
   * entry that the run does not have counts as gone from the feeds.
   */
  coverage?: RunCoverage;
}

/**
 * Describes what a run covers, from every indicator the feeds have (before the filters and
 * allowlists) and the `--family` names of the run, if any.
 */
export function describeRunCoverage(
  feedIndicators: readonly Indicator[],
  familyNames: readonly string[] | undefined,
  now: Date,
): RunCoverage {
  const byKey = groupByFamilyKey(feedIndicators);
  if (familyNames === undefined || familyNames.length === 0) return { feedIndicators: byKey };
  // NOTE: a family that has left the feeds entirely is covered only when a --family name is its
  // key, so `--family Remcos` leaves the entries of a vanished `win.remcos` as they were.
  const families = new Set(familyNames.map((name) => familyKeyText(name.trim())));
  const selection = { families: [...familyNames] };
  for (const [key, members] of byKey) {
    if (filterIndicators(members, selection, now).kept.length > 0) families.add(key);
  }
  return { feedIndicators: byKey, families };
}

/** Returns the history of a state file that does not exist yet. */
export function emptyHistory(): RunHistory {
  return { version: HISTORY_VERSION, families: emptyRecord() };
}

/**
 * Returns an object without a prototype, for the families of a history. A feed names families, so
 * a family key such as `__proto__` or `constructor` must be a key like any other: on a plain
 * object, assigning `__proto__` sets the prototype and reading `constructor` finds Object's own
 * function. Indicator keys start with their kind (`domain|`), so their objects need none of this.
 */
function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * Returns the entries of `family` in `families`, or none. Only own keys count, because a history
 * that a caller built may be a plain object.
 */
function entriesOf(
  families: RunHistory['families'],
  family: string,
): Readonly<Record<string, HistoryEntry>> {
  return Object.hasOwn(families, family) ? families[family]! : emptyRecord();
}

/**
 * Reads a state file. A missing file is the empty history of a first run.
 *
 * @throws ConfigError naming the file when it cannot be read, is not a valid state file, or was
 *   written by a newer huntpack.
 */
export async function loadHistory(file: string): Promise<RunHistory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyHistory();
    throw new ConfigError(
      'STATE_UNREADABLE',
      `Cannot read state file ${quotePath(file)}: ${fileReadReason(error)}.`,
      { cause: error },
    );
  }
  // An empty file, such as one made with `touch`, is a state with no run yet, as a missing one is.
  if (text.trim() === '') return emptyHistory();
  // Windows editors such as Notepad may save the file with a byte order mark.
  return parseHistory(text.replace(/^\uFEFF/, ''), file);
}

/**
 * Parses the text of a state file.
 *
 * @throws ConfigError naming the file when the text is not a valid state file or has a newer version.
 */
export function parseHistory(text: string, file: string): RunHistory {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw corruptState(file, `it is not valid JSON (${printable((error as Error).message)})`);
  }
  if (!isRecord(document)) throw corruptState(file, 'it is not a JSON object');
  const version = document.version;
  if (typeof version === 'number' && Number.isInteger(version) && version > HISTORY_VERSION) {
    throw new ConfigError(
      'STATE_VERSION_UNSUPPORTED',
      `State file ${quotePath(file)} has version ${version}, written by a newer huntpack: this huntpack reads version ${HISTORY_VERSION}. Upgrade huntpack, or pass a new --state file.`,
    );
  }
  if (version === undefined) throw corruptState(file, 'it has no version');
  if (version !== HISTORY_VERSION && version !== FOLDER_KEYED_VERSION) {
    const type =
      typeof version === 'number'
        ? ''
        : ` (${version === null ? 'null' : `a ${typeof version}`}, not a number)`;
    throw corruptState(file, `its version is ${quoteValue(version)}${type}`);
  }
  if (document.lastRun !== undefined && !isTime(document.lastRun)) {
    throw corruptState(file, `its lastRun ${quoteValue(document.lastRun)} is not an ISO 8601 time`);
  }
  if (!isRecord(document.families)) throw corruptState(file, 'it has no "families" object');

  const families: RunHistory['families'] = emptyRecord();
  for (const [family, entries] of Object.entries(document.families)) {
    if (!isRecord(entries))
      throw corruptState(file, `family ${quoteValue(family)} is not an object`);
    // Versions of huntpack before NFC family names kept a decomposed name such as `re\u0301mcos`
    // in its key, so such a key moves to its NFC form and joins the entries already there.
    const familyKey = familyKeyText(family);
    const checked: Record<string, HistoryEntry> = Object.hasOwn(families, familyKey)
      ? families[familyKey]!
      : {};
    for (const [key, entry] of Object.entries(entries)) {
      const read = checkEntry(entry, `${family} ${key}`, file);
      checked[key] = Object.hasOwn(checked, key) ? mergeEntries(checked[key]!, read) : read;
    }
    families[familyKey] = checked;
  }
  const history: RunHistory = { version: HISTORY_VERSION, families };
  if (typeof document.lastRun === 'string') history.lastRun = document.lastRun;
  if (version === FOLDER_KEYED_VERSION) history.keyedByFolder = true;
  return history;
}

/**
 * Returns one entry for an indicator that two family keys recorded: the fields of `entry`, with
 * the earliest first run and the latest last run of both.
 */
function mergeEntries(other: HistoryEntry, entry: HistoryEntry): HistoryEntry {
  return {
    ...entry,
    firstRun: other.firstRun < entry.firstRun ? other.firstRun : entry.firstRun,
    lastRun: other.lastRun > entry.lastRun ? other.lastRun : entry.lastRun,
  };
}

function checkEntry(entry: unknown, where: string, file: string): HistoryEntry {
  if (!isRecord(entry)) throw corruptState(file, `entry ${quoteValue(where)} is not an object`);
  for (const field of ['firstRun', 'lastRun', 'lastSeen', 'expires'] as const) {
    const value = entry[field];
    const required = field === 'firstRun' || field === 'lastRun';
    if ((value !== undefined || required) && !isTime(value)) {
      throw corruptState(
        file,
        `entry ${quoteValue(where)} has ${field} ${quoteValue(value ?? null)}, not an ISO 8601 time`,
      );
    }
  }
  const checked: HistoryEntry = {
    firstRun: entry.firstRun as string,
    lastRun: entry.lastRun as string,
  };
  if (typeof entry.lastSeen === 'string') checked.lastSeen = entry.lastSeen;
  if (typeof entry.expires === 'string') checked.expires = entry.expires;
  if (entry.confidence !== undefined) {
    if (typeof entry.confidence !== 'number' || !Number.isFinite(entry.confidence)) {
      throw corruptState(
        file,
        `entry ${quoteValue(where)} has confidence ${quoteValue(entry.confidence)}, not a number`,
      );
    }
    checked.confidence = entry.confidence;
  }
  if (entry.threatType !== undefined) {
    if (typeof entry.threatType !== 'string') {
      throw corruptState(
        file,
        `entry ${quoteValue(where)} has threatType ${quoteValue(entry.threatType)}, not a string`,
      );
    }
    checked.threatType = entry.threatType;
  }
  return checked;
}

function corruptState(file: string, problem: string): ConfigError {
  return new ConfigError(
    'STATE_INVALID',
    `State file ${quotePath(file)} is not a valid huntpack state file: ${problem}. Fix or delete it; without it the next build treats every indicator as new.`,
  );
}

/** Quotes a path in full: unlike quoteValue, it never shortens, so the message names the file. */
function quotePath(file: string): string {
  return JSON.stringify(file);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}T/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}

/**
 * Compares this run's indicators, by family key as the packs group them, with the history. The result
 * has the families of the run and the families of the history that the run covers.
 *
 * A history entry that the run does not have is expired when it is past its expiry or age
 * limit, judged by the feed's dates when the feeds still have it. Otherwise it is removed when
 * the feeds no longer have it under this family, and it is left out of the result when a filter
 * or an allowlist left it out of the run.
 */
export function compareWithHistory(
  packsIndicators: ReadonlyMap<string, readonly Indicator[]>,
  history: RunHistory,
  options: CompareHistoryOptions,
): Map<string, FamilyHistoryDiff> {
  const result = new Map<string, FamilyHistoryDiff>();
  const coveredHistory = Object.keys(history.families).filter((family) =>
    coversFamily(family, packsIndicators, options.coverage),
  );
  const families = new Set([...packsIndicators.keys(), ...coveredHistory]);
  for (const family of [...families].sort()) {
    const diff: FamilyHistoryDiff = {
      new: [],
      unchanged: [],
      changed: [],
      expired: [],
      removed: [],
    };
    const known = entriesOf(history.families, family);
    const present = new Set<string>();
    for (const indicator of packsIndicators.get(family) ?? []) {
      const key = indicatorKey(indicator);
      if (present.has(key)) continue;
      present.add(key);
      if (isExpired(latestSighting(indicator), indicator.expires, options)) diff.expired.push(key);
      else if (!Object.hasOwn(known, key)) diff.new.push(key);
      else {
        const change = contextChange(key, known[key]!, indicator);
        if (change) diff.changed.push(change);
        else diff.unchanged.push(key);
      }
    }
    const inFeeds = feedIndicatorsByKey(options.coverage, family);
    for (const [key, entry] of Object.entries(known)) {
      if (present.has(key)) continue;
      const feedIndicator = inFeeds.get(key);
      const expired = feedIndicator
        ? isExpired(latestSighting(feedIndicator), feedIndicator.expires, options)
        : isExpired(
            new Date(entry.lastSeen ?? entry.lastRun),
            entry.expires === undefined ? undefined : new Date(entry.expires),
            options,
          );
      if (expired) diff.expired.push(key);
      else if (!feedIndicator) diff.removed.push(key);
    }
    for (const list of [diff.new, diff.unchanged, diff.expired, diff.removed]) list.sort();
    diff.changed.sort(byKey);
    result.set(family, diff);
  }
  return result;
}

/** Orders changes by indicator key, as the other lists of a diff are sorted. */
function byKey(a: HistoryChange, b: HistoryChange): number {
  if (a.key === b.key) return 0;
  return a.key < b.key ? -1 : 1;
}

/**
 * Returns how the indicator's confidence and threat type differ from those its history entry
 * records, or undefined when they do not. A field the entry lacks, as in a state written before
 * huntpack recorded it, counts as the same.
 */
function contextChange(
  key: string,
  entry: HistoryEntry,
  indicator: Indicator,
): HistoryChange | undefined {
  const change: HistoryChange = { key };
  const confidence = indicator.confidence ?? null;
  if ('confidence' in entry && (entry.confidence ?? null) !== confidence) {
    change.confidence = [entry.confidence ?? null, confidence];
  }
  const threatType = indicator.threatType ?? null;
  if ('threatType' in entry && (entry.threatType ?? null) !== threatType) {
    change.threatType = [entry.threatType ?? null, threatType];
  }
  return change.confidence || change.threatType ? change : undefined;
}

/** Returns whether a run covers a family: its `--family` filter selects it, or it has a pack. */
function coversFamily(
  family: string,
  packsIndicators: ReadonlyMap<string, readonly Indicator[]>,
  coverage: RunCoverage | undefined,
): boolean {
  const families = coverage?.families;
  return families === undefined || families.has(family) || packsIndicators.has(family);
}

/** Returns the feed indicators of one family by key; empty without a coverage. */
function feedIndicatorsByKey(
  coverage: RunCoverage | undefined,
  family: string,
): Map<string, Indicator> {
  const byKey = new Map<string, Indicator>();
  for (const indicator of coverage?.feedIndicators.get(family) ?? []) {
    byKey.set(indicatorKey(indicator), indicator);
  }
  return byKey;
}

function isExpired(
  lastSeen: Date | undefined,
  expires: Date | undefined,
  options: CompareHistoryOptions,
): boolean {
  const now = options.now.getTime();
  if (expires !== undefined && expires.getTime() <= now) return true;
  if (options.maxAgeDays === undefined || lastSeen === undefined) return false;
  return now - lastSeen.getTime() > options.maxAgeDays * DAY_MS;
}

/**
 * Returns the history after this run: every indicator of the run recorded under its family, with
 * `firstRun` kept from earlier runs. The run changes only the families it covers. In those, an
 * entry that the run does not have is kept as it was while the feeds still have it under this
 * family, because a filter or an allowlist left it out. Other entries are dropped, so an
 * indicator that comes back later counts as new again. The input history is not changed.
 */
export function updateHistory(
  history: RunHistory,
  packsIndicators: ReadonlyMap<string, readonly Indicator[]>,
  options: { now: Date; coverage?: RunCoverage },
): RunHistory {
  const now = options.now.toISOString();
  const families: RunHistory['families'] = emptyRecord();
  for (const [family, known] of Object.entries(history.families)) {
    if (!coversFamily(family, packsIndicators, options.coverage)) {
      families[family] = { ...known };
      continue;
    }
    const inFeeds = feedIndicatorsByKey(options.coverage, family);
    const stillInFeeds = Object.entries(known).filter(([key]) => inFeeds.has(key));
    if (stillInFeeds.length > 0) families[family] = Object.fromEntries(stillInFeeds);
  }
  for (const [family, indicators] of packsIndicators) {
    const known = entriesOf(history.families, family);
    const entries: Record<string, HistoryEntry> = { ...entriesOf(families, family) };
    for (const indicator of indicators) {
      const key = indicatorKey(indicator);
      const earlier = Object.hasOwn(known, key) ? known[key] : undefined;
      const entry: HistoryEntry = { firstRun: earlier?.firstRun ?? now, lastRun: now };
      const lastSeen = latestSighting(indicator);
      if (lastSeen) entry.lastSeen = lastSeen.toISOString();
      if (indicator.expires) entry.expires = indicator.expires.toISOString();
      if (indicator.confidence !== undefined) entry.confidence = indicator.confidence;
      if (indicator.threatType !== undefined) entry.threatType = indicator.threatType;
      entries[key] = entry;
    }
    if (Object.keys(entries).length > 0) families[family] = entries;
  }
  return { version: HISTORY_VERSION, lastRun: now, families };
}

/** Writes a state file atomically, with families and keys sorted so that diffs stay small. */
export async function saveHistory(file: string, history: RunHistory): Promise<void> {
  const families: RunHistory['families'] = emptyRecord();
  for (const family of Object.keys(history.families).sort()) {
    const entries = entriesOf(history.families, family);
    const sortedEntries: Record<string, HistoryEntry> = {};
    for (const key of Object.keys(entries).sort()) sortedEntries[key] = entries[key]!;
    families[family] = sortedEntries;
  }
  const sorted: RunHistory = { version: HISTORY_VERSION, lastRun: history.lastRun, families };
  try {
    await writeFileAtomic(file, `${JSON.stringify(sorted, null, 2)}\n`);
  } catch (error) {
    throw new ConfigError(
      'STATE_NOT_WRITTEN',
      `Cannot write state file ${quotePath(file)}: ${systemMessage(error)}. The packs were written, but the state still describes the run before this one. Fix the file or its folder, then build again.`,
      { cause: error },
    );
  }
}

/**
 * Keeps only the indicators that the comparison lists as new in their own family, for
 * `--only-new`. An indicator that the feeds name under several families comes once per family,
 * and may be new in one of them only.
 */
export function keepNewIndicators(
  indicators: readonly Indicator[],
  comparison: ReadonlyMap<string, FamilyHistoryDiff>,
): Indicator[] {
  const fresh = new Map<string, Set<string>>();
  for (const [family, diff] of comparison) fresh.set(family, new Set(diff.new));
  return indicators.filter(
    (indicator) => fresh.get(familyKeyOf(indicator.family))?.has(indicatorKey(indicator)) ?? false,
  );
}

/** Groups indicators by family key, as packs group them, for {@link compareWithHistory}. */
export function groupByFamilyKey(indicators: readonly Indicator[]): Map<string, Indicator[]> {
  const groups = new Map<string, Indicator[]>();
  for (const indicator of indicators) {
    const key = familyKeyOf(indicator.family);
    const group = groups.get(key);
    if (group) group.push(indicator);
    else groups.set(key, [indicator]);
  }
  return groups;
}

/**
 * Prefix of a family key that is still a version 1 folder name, because no run since the
 * migration had its indicators in the feeds.
 */
export const FOLDER_KEY_PREFIX = 'folder:';

/**
 * Moves the entries of a version 1 state, keyed by pack folder name, to family keys. Each entry
 * goes to the family that has its indicator in this run's feeds, and an entry whose indicator
 * the feeds do not have goes to the family of most of its folder's other entries. A folder with
 * no indicator in the feeds stays under `folder:NAME`, and each later run tries it again. A run
 * that covers every family lists such entries as removed. Entries that two folders give one
 * family are merged, keeping the earliest first run and the latest last run.
 */
export function migrateFolderKeys(
  history: RunHistory,
  feedIndicators: ReadonlyMap<string, readonly Indicator[]>,
): RunHistory {
  const folderKeys = Object.keys(history.families).filter(
    (key) => history.keyedByFolder || key.startsWith(FOLDER_KEY_PREFIX),
  );
  if (folderKeys.length === 0) return history;
  const familyOfIndicator = new Map<string, string>();
  for (const [key, members] of feedIndicators) {
    for (const indicator of members) familyOfIndicator.set(indicatorKey(indicator), key);
  }
  const families: RunHistory['families'] = emptyRecord();
  const addEntry = (family: string, key: string, entry: HistoryEntry): void => {
    const entries = (families[family] ??= {});
    const other = entries[key];
    entries[key] = other === undefined ? entry : mergeEntries(other, entry);
  };
  for (const [family, entries] of Object.entries(history.families)) {
    if (folderKeys.includes(family)) continue;
    for (const [key, entry] of Object.entries(entries)) addEntry(family, key, entry);
  }
  for (const folder of folderKeys) {
    const entries = history.families[folder]!;
    const votes = new Map<string, number>();
    for (const key of Object.keys(entries)) {
      const family = familyOfIndicator.get(key);
      if (family !== undefined) votes.set(family, (votes.get(family) ?? 0) + 1);
    }
    const name = folder.startsWith(FOLDER_KEY_PREFIX) ? folder : `${FOLDER_KEY_PREFIX}${folder}`;
    let majority = name;
    let best = 0;
    for (const [family, count] of votes) {
      if (count > best) [majority, best] = [family, count];
    }
    for (const [key, entry] of Object.entries(entries)) {
      addEntry(familyOfIndicator.get(key) ?? majority, key, entry);
    }
  }
  const migrated: RunHistory = { version: HISTORY_VERSION, families };
  if (history.lastRun !== undefined) migrated.lastRun = history.lastRun;
  return migrated;
}
