/**
 * ISO 8601 timestamps for large outputs. `Date.prototype.toISOString` costs about a microsecond
 * a call in Node.js 20, and a pack of a million indicators writes several million timestamps.
 */

const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => String(value).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, value) => String(value).padStart(3, '0'));
const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: later times need the six-digit year form that toISOString writes. */
const YEAR_10000_MS = 253_402_300_800_000;

/**
 * Returns what `date.toISOString()` returns, such as `2026-04-12T04:49:28.000Z`, computed with
 * integer arithmetic for times from 1970 to 9999; other times go to `toISOString`, which also
 * raises the RangeError for an invalid date.
 */
export function isoTime(date: Date): string {
  const ms = date.getTime();
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return date.toISOString();
  // Indicators of one feed share few distinct times, and a pack writes each several times.
  const slot = ms % CACHE_SLOTS;
  if (cachedTimes[slot] === ms) return cachedTexts[slot]!;
  const text = computeIsoTime(ms);
  cachedTimes[slot] = ms;
  cachedTexts[slot] = text;
  return text;
}

/** Slots of the cache of recent texts, indexed by the time modulo their number. */
const CACHE_SLOTS = 4096;
const cachedTimes = new Float64Array(CACHE_SLOTS).fill(-1);
const cachedTexts: string[] = new Array<string>(CACHE_SLOTS).fill('');

function computeIsoTime(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;

  // Days to a proleptic Gregorian date: Howard Hinnant's civil_from_days, for days since 1970.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const milliseconds = rest - seconds * 1000;

  return (
    `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-` +
    `${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.` +
    `${THREE_DIGITS[milliseconds]}Z`
  );
}
