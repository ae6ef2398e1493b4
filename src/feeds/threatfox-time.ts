/**
 * ThreatFox time stamps. Exports write `2026-07-24 13:50:06`, the API `2022-01-07 16:29:58 UTC`,
 * and re-serialized feeds ISO 8601 `2026-07-24T13:50:06Z`. All of them are UTC.
 */

const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?: ?(UTC|Z)|([+-])(\d{2}):?(\d{2}))?$/i;

const MAX_OFFSET_MINUTES = 18 * 60;

/**
 * Parses a ThreatFox time. A time without a zone is UTC, as in every ThreatFox export, and an
 * explicit offset such as `+02:00` is applied. Returns undefined for any other text and for
 * dates that do not exist, such as February 30.
 */
export function parseThreatFoxTime(text: string): Date | undefined {
  const millis = parseThreatFoxMillis(text);
  return Number.isNaN(millis) ? undefined : new Date(millis);
}

/**
 * Parses a ThreatFox time as {@link parseThreatFoxTime} does, into milliseconds since
 * 1970-01-01 UTC, or NaN.
 */
export function parseThreatFoxMillis(text: string): number {
  // Most rows hold the export's plain 19-character form, which skips the regular expression.
  if (text.length === 19) {
    const time = parsePlainTime(text);
    if (!Number.isNaN(time)) return time;
  }
  const match = TIME_PATTERN.exec(text);
  if (!match) return NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  const time = utcTime(year, month, day, hour, minute, second, millis);
  if (Number.isNaN(time) || match[9] === undefined) return time;

  const offsetMinutes = Number(match[10]) * 60 + Number(match[11]);
  if (offsetMinutes > MAX_OFFSET_MINUTES) return NaN;
  const sign = match[9] === '+' ? 1 : -1;
  return time - sign * offsetMinutes * 60_000;
}

/** Parses `YYYY-MM-DD HH:MM:SS` by character codes, or returns NaN for other text. */
function parsePlainTime(text: string): number {
  const separator = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 ||
    text.charCodeAt(7) !== 45 ||
    (separator !== 32 && separator !== 84) ||
    text.charCodeAt(13) !== 58 ||
    text.charCodeAt(16) !== 58
  ) {
    return NaN;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NaN;
  return utcTime(year, month, day, hour, minute, second, 0);
}

/** Reads `length` decimal digits at `start`, or returns -1 when one is not a digit. */
function digits(text: string, start: number, length: number): number {
  let value = 0;
  for (let index = start; index < start + length; index += 1) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function utcTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
): number {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return NaN;
  }
  // Date.UTC would roll February 30 over into March and map years 0 to 99 to 1900 to 1999.
  if (year < 100 || day > daysInMonth(year, month)) return NaN;
  const days = daysFromCivil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis;
}

/**
 * Returns the days from 1970-01-01 to a date of the proleptic Gregorian calendar, the calendar
 * of Date.UTC, by the days_from_civil algorithm of Howard Hinnant
 * (https://howardhinnant.github.io/date_algorithms.html). It is pure arithmetic, which is
 * cheaper than calling Date.UTC once per row.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const shifted = month <= 2 ? year - 1 : year;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return leap ? 29 : 28;
}
