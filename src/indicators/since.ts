/**
 * Parsing of the `since` filter value: a duration back from now or a calendar date.
 */
import { quoteValue, UsageError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DURATION = /^(\d{1,6})([hdw])$/i;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a `since` value: a duration before `now` in hours, days or weeks (`12h`, `30d`, `2w`),
 * a date (`2026-04-01`, midnight UTC) or an ISO 8601 date and time (`2026-04-01T12:30:00Z`,
 * `2026-04-01 12:30`, `2026-04-01T12:30:00+02:00`). A time without a zone is read as UTC, as
 * ThreatFox writes its timestamps.
 *
 * @throws UsageError (`INVALID_SINCE`) for any other text, a duration of 0 or an impossible
 *   date such as 2026-02-30.
 */
export function parseSince(text: string, now: Date): Date {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  if (duration) {
    // A duration of 0 would keep only indicators first seen in the future, so nothing.
    if (Number(duration[1]) === 0) {
      throw new UsageError(
        'INVALID_SINCE',
        `Invalid since value ${quoteValue(text)}: a duration of 0 keeps no indicator. Give at least 1h, 1d or 1w.`,
      );
    }
    const unit = UNIT_MS[(duration[2] as string).toLowerCase()] as number;
    return new Date(now.getTime() - Number(duration[1]) * unit);
  }
  const date = DATE_TIME.exec(trimmed);
  const parsed = date ? dateFromParts(date) : undefined;
  if (parsed) return parsed;
  throw new UsageError(
    'INVALID_SINCE',
    `Invalid since value ${quoteValue(text)}. Expected a duration such as 30d, 12h or 2w, or a date such as 2026-04-01 or 2026-04-01T12:00:00Z.`,
  );
}

/** Builds the date from the regular expression's groups, or undefined when a part is out of range. */
function dateFromParts(match: RegExpExecArray): Date | undefined {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((group) =>
    Number(match[group] ?? 0),
  ) as [number, number, number, number, number, number];
  const milliseconds = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds);
  const check = new Date(utc);
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    check.getUTCHours() === hour &&
    check.getUTCMinutes() === minute &&
    check.getUTCSeconds() === second;
  const offset = zoneOffsetMs(match[8]);
  if (!valid || Number.isNaN(offset)) return undefined;
  return new Date(utc - offset);
}

/** Returns the offset of `Z`, `+02:00` or `-0530` from UTC in milliseconds, or NaN when out of range. */
function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 23 || minutes > 59) return Number.NaN;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}
