/**
 * Parses the timestamp spellings found in exported logs: epoch seconds or milliseconds, ISO 8601,
 * month-name dates (`Jul 31 2022 12:46:24`, syslog `Aug  3 10:49:35`, German or French month
 * abbreviations), and the numeric dates that Sentinel and Defender portal CSV exports write in
 * the browser's locale (`11/20/2020, 4:20:29.443 PM`, `20/11/2020, 16:20:29`, `20.11.2020 16:20:29`).
 *
 * A time without a year or without a zone is ambiguous: it is resolved only with the caller's
 * year and time zone, never guessed from the clock of the machine that reads it. A numeric date
 * is read in the order that the caller sets, or that its file's own dates show (FileDateOrder).
 */
import { quoteValue } from '../../errors.js';

/** A fixed UTC offset, or an IANA zone whose offset depends on the date. */
export type TimeZone = { kind: 'fixed'; offsetMinutes: number } | { kind: 'iana'; name: string };

/** Defaults for the parts a timestamp may lack. */
export interface TimeDefaults {
  /** Year for timestamps without one, such as RFC 3164 syslog headers. */
  year?: number;
  /**
   * Latest plausible event time, in epoch milliseconds. A time read with `year` that falls more
   * than a day after it is read in the year before, so that a log crossing New Year keeps its
   * December events in December of the earlier year.
   */
  latestTime?: number;
  /** Zone for timestamps without one. */
  timeZone?: TimeZone;
  /** Order of every numeric date, as the date order option (--date-order) sets it. */
  dateOrder?: DateOrder;
  /**
   * Order of the numeric dates of the file being read, chosen from its values. It applies when
   * `dateOrder` is unset. Without either, only a date that fits one order can be read.
   */
  fileDateOrder?: FileDateOrder;
}

export type TimeResult =
  | { ok: true; date: Date }
  | { ok: false; code: 'AMBIGUOUS_TIME' | 'INVALID_TIME'; message: string };

/** Month abbreviations in English, German, French, Spanish, Italian and Dutch, lower case. */
const MONTHS: Record<string, number> = {};
const MONTH_SPELLINGS: string[][] = [
  ['jan', 'janv', 'januar', 'ene', 'gen'],
  ['feb', 'févr', 'fevr', 'fév', 'fev'],
  ['mar', 'mär', 'märz', 'mars', 'mrt'],
  ['apr', 'avr', 'abr'],
  ['may', 'mai', 'mag', 'mei'],
  ['jun', 'juni', 'juin', 'giu'],
  ['jul', 'juli', 'juil', 'lug'],
  ['aug', 'août', 'aout', 'aoû', 'ago'],
  ['sep', 'sept', 'set'],
  ['oct', 'okt', 'ott'],
  ['nov'],
  ['dec', 'dez', 'déc', 'dic'],
];
MONTH_SPELLINGS.forEach((spellings, index) => {
  for (const spelling of spellings) MONTHS[spelling] = index + 1;
});

/** Returns the month number (1-12) of a month name or abbreviation, or undefined. */
export function parseMonthName(text: string): number | undefined {
  const key = text.toLowerCase().replace(/\.$/, '');
  return MONTHS[key] ?? MONTHS[key.slice(0, 3)];
}

const OFFSET_PATTERN = /^(?:(?:GMT|UTC|UT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/**
 * Parses a zone: `Z`, `UTC`, `GMT`, an offset (`+0100`, `-05:00`, `GMT+00:00`) or an IANA name
 * (`Europe/Berlin`). Returns undefined for any other text.
 */
export function parseTimeZone(text: string): TimeZone | undefined {
  const zone = text.trim();
  if (/^(?:z|utc|gmt|ut)$/i.test(zone)) return { kind: 'fixed', offsetMinutes: 0 };
  const offset = OFFSET_PATTERN.exec(zone);
  if (offset) {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? '0');
    if (hours > 14 || minutes > 59) return undefined;
    const sign = offset[1] === '-' ? -1 : 1;
    return { kind: 'fixed', offsetMinutes: sign * (hours * 60 + minutes) };
  }
  if (!/^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+$/.test(zone)) return undefined;
  try {
    zoneFormatter(zone);
    return { kind: 'iana', name: zone };
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(name: string): Intl.DateTimeFormat {
  let formatter = formatters.get(name);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(name, formatter);
  }
  return formatter;
}

/** Returns the offset of an IANA zone at an instant, in milliseconds east of UTC. */
function ianaOffset(name: string, epochMs: number): number {
  const parts: Record<string, number> = {};
  for (const part of zoneFormatter(name).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - (epochMs - (epochMs % 1000));
}

interface WallTime {
  year: number | undefined;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  zone: TimeZone | undefined;
}

/** A day in milliseconds: how far past `latestTime` a time may lie before its year goes back. */
const DAY_MS = 86_400_000;

function resolveWallTime(text: string, wall: WallTime, defaults: TimeDefaults): TimeResult {
  const year = wall.year ?? defaults.year;
  if (year === undefined) {
    return ambiguous(`Time "${text}" has no year: pass the year option (--year) to read it.`);
  }
  const result = resolveInYear(text, wall, year, defaults);
  const latest = defaults.latestTime;
  if (wall.year !== undefined || latest === undefined || !result.ok) return result;
  if (result.date.getTime() <= latest + DAY_MS) return result;
  return resolveInYear(text, wall, year - 1, defaults);
}

function resolveInYear(
  text: string,
  wall: WallTime,
  year: number,
  defaults: TimeDefaults,
): TimeResult {
  const zone = wall.zone ?? defaults.timeZone;
  if (!zone) {
    return ambiguous(
      `Time "${text}" has no time zone: pass the timezone option (--timezone) to read it.`,
    );
  }
  const { month, day, hour, minute, second, millisecond } = wall;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const check = new Date(utc);
  if (
    month < 1 ||
    month > 12 ||
    hour > 23 ||
    minute > 59 ||
    second > 60 ||
    check.getUTCDate() !== day ||
    check.getUTCMonth() !== month - 1
  ) {
    return invalid(text);
  }
  if (zone.kind === 'fixed') return { ok: true, date: new Date(utc - zone.offsetMinutes * 60000) };
  let epoch = utc - ianaOffset(zone.name, utc);
  epoch = utc - ianaOffset(zone.name, epoch);
  return { ok: true, date: new Date(epoch) };
}

function ambiguous(message: string): TimeResult {
  return { ok: false, code: 'AMBIGUOUS_TIME', message };
}

/** A time zone abbreviation at the end of a date, such as the `PST` of `Dec 05 2025 22:00:00 PST`. */
const ZONE_ABBREVIATION = /\d\s+([A-Z]{2,5})$/;

function invalid(text: string): TimeResult {
  const expected =
    'expected epoch seconds or milliseconds, ISO 8601 or a date such as "Jul 31 2022 12:46:24"';
  const zone = ZONE_ABBREVIATION.exec(text.trim())?.[1];
  // UTC, GMT and Z are read, so a date that ends with one is invalid for another reason.
  if (zone !== undefined && !['UTC', 'GMT', 'Z'].includes(zone)) {
    return {
      ok: false,
      code: 'INVALID_TIME',
      message:
        `Invalid time ${quoteValue(text)}: the zone abbreviation "${zone}" is not read, because ` +
        'abbreviations are ambiguous (IST is India, Israel or Irish time). A date is read with ' +
        'UTC, GMT, Z or an offset such as -0800 after it, or with no zone and --timezone.',
    };
  }
  return {
    ok: false,
    code: 'INVALID_TIME',
    message: `Invalid time ${quoteValue(text)}: ${expected}.`,
  };
}

function milliseconds(fraction: string | undefined): number {
  return fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
}

function zoneOf(text: string | undefined): TimeZone | undefined | null {
  if (text === undefined) return undefined;
  return parseTimeZone(text) ?? null;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)? ?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const MONTH_NAME_PATTERN =
  /^(?:[A-Za-z]{3},? +)?(\p{L}{3,5}\.?) +(\d{1,2}),?(?: +(\d{4}))? +(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?: +(\d{4}))?(?: +(\S+))?$/u;
/**
 * A numeric date and time as browser locales write them. Groups: 1, 3 and 4 the date's numbers, 2
 * their separator, 5 a meridiem written before the time, 6 to 9 hour, minute, second and
 * fraction, 10 the `A` or `P` of a meridiem after the time. Besides `11/3/2020, 4:27:16 PM`, it
 * reads a space after each dot and a final dot (ko-KR `2020. 11. 3. 오후 4:27:16`, hu-HU
 * `2020. 11. 03. 16:27:16,933`, cs-CZ `3. 11. 2020 16:27:16`), a meridiem before the time
 * (zh-TW `2020/11/3 下午4:27:16`), and dots in the time (fi-FI `3.11.2020 klo 16.27.16`, da-DK).
 * Any Unicode space separates the parts, because newer ICU versions, and browsers built on them,
 * write a narrow no-break space before `PM` (en-US) and a thin space before `下午` (zh-TW).
 */
const NUMERIC_DATE_PATTERN =
  /^(\d{1,4})([/.-])\s?(\d{1,2})\2\s?(\d{1,4})\.?,?(?:\s+klo)?\s+(?:(AM|PM|오전|오후|上午|下午|午前|午後)\s?)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([AP])\.?M\.?)?$/i;

/** Meridiem words written before the time that mean the afternoon, in lower case. */
const AFTERNOON_PREFIXES = new Set(['pm', '오후', '下午', '午後']);

/**
 * The lowest year read as a Thai Buddhist-era year, which is the Gregorian year plus 543. The
 * year 2400 of that era is 1857, long before any log.
 */
const BUDDHIST_ERA_YEARS = 2400;

/** Parses a log timestamp; see the file comment for the accepted spellings. */
export function parseLogTime(raw: string, defaults: TimeDefaults = {}): TimeResult {
  const text = raw.trim();
  if (/^\d{9,}(?:\.\d+)?$/.test(text)) return parseEpoch(text);

  let match = ISO_PATTERN.exec(text);
  if (match) {
    const zone = zoneOf(match[8]);
    if (zone === null) return invalid(text);
    return resolveWallTime(text, isoWallTime(match, zone), defaults);
  }
  match = MONTH_NAME_PATTERN.exec(text);
  if (match) return parseMonthNameTime(text, match, defaults);
  match = NUMERIC_DATE_PATTERN.exec(text);
  if (match) return parseNumericTime(text, match, defaults);
  return invalid(text);
}

function parseEpoch(text: string): TimeResult {
  // 12 or more integer digits are milliseconds (CEF `rt`); fewer are seconds (Zeek `ts`).
  // The fraction is cut to whole milliseconds, as for ISO times, instead of rounded.
  const [integer = '', fraction] = text.split('.');
  const epochMs =
    integer.length >= 12 ? Number(integer) : Number(integer) * 1000 + milliseconds(fraction);
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? invalid(text) : { ok: true, date };
}

/** Digit counts of epoch times from 2001-09-09 to 2286-11-20 in each unit, seconds to nanoseconds. */
const EPOCH_UNITS: ReadonlyArray<{ digits: number; toMilliseconds: (text: string) => number }> = [
  { digits: 10, toMilliseconds: (text) => Number(text) * 1000 },
  { digits: 13, toMilliseconds: (text) => Number(text) },
  { digits: 16, toMilliseconds: (text) => Number(text.slice(0, -3)) },
  { digits: 19, toMilliseconds: (text) => Number(text.slice(0, -6)) },
];

/**
 * Parses a UTC epoch time whose unit is not fixed, choosing the unit from the digit count: 10
 * digits are seconds, 13 milliseconds, 16 microseconds and 19 nanoseconds, which covers the
 * years 2001 to 2286 in each unit. Other counts are rejected as INVALID_TIME, because they fit
 * no unit within those years. Sub-millisecond digits are cut off, not rounded.
 */
export function parseEpochOfAnyUnit(raw: string): TimeResult {
  const text = raw.trim();
  const unit = /^\d+$/.test(text) ? EPOCH_UNITS.find((u) => u.digits === text.length) : undefined;
  if (!unit) {
    return {
      ok: false,
      code: 'INVALID_TIME',
      message: `Invalid epoch time "${text}": expected 10, 13, 16 or 19 digits (seconds, milliseconds, microseconds or nanoseconds).`,
    };
  }
  return { ok: true, date: new Date(unit.toMilliseconds(text)) };
}

function isoWallTime(match: RegExpExecArray, zone: TimeZone | undefined): WallTime {
  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? '0'),
    millisecond: milliseconds(match[7]),
    zone,
  };
}

function parseMonthNameTime(
  text: string,
  match: RegExpExecArray,
  defaults: TimeDefaults,
): TimeResult {
  const month = parseMonthName(match[1] ?? '');
  const zone = zoneOf(match[9]);
  if (month === undefined || zone === null) return invalid(text);
  const year = match[3] ?? match[8];
  return resolveWallTime(
    text,
    {
      year: year === undefined ? undefined : Number(year),
      month,
      day: Number(match[2]),
      hour: Number(match[4]),
      minute: Number(match[5]),
      second: Number(match[6]),
      millisecond: milliseconds(match[7]),
      zone,
    },
    defaults,
  );
}

/** Order of day, month and year in a numeric date such as `03/11/2020`. */
export type DateOrder = 'mdy' | 'dmy' | 'ymd';

export const DATE_ORDERS: readonly DateOrder[] = ['mdy', 'dmy', 'ymd'];

const DATE_ORDER_NAMES: Record<DateOrder, string> = {
  mdy: 'month-first (mdy)',
  dmy: 'day-first (dmy)',
  ymd: 'year-first (ymd)',
};

/** The three numbers of a numeric date in the order written, before its order is known. */
interface NumericDate {
  text: string;
  fields: [number, number, number];
  /** True when the first number has four digits, so it is the year. */
  yearFirst: boolean;
  /** True for `.` between the numbers, which day-first locales such as de-DE write. */
  dotted: boolean;
}

/**
 * Reads the numbers of a numeric date. Returns undefined unless the year has four digits and
 * comes first or last, and the other two numbers lie from 1 to 31.
 */
function readNumericDate(text: string, match: RegExpExecArray): NumericDate | undefined {
  const written: [string, string, string] = [match[1] ?? '', match[3] ?? '', match[4] ?? ''];
  const yearFirst = written[0].length === 4 && written[2].length <= 2;
  if (!yearFirst && !(written[0].length <= 2 && written[2].length === 4)) return undefined;
  const fields = written.map(Number) as [number, number, number];
  const others = yearFirst ? [fields[1], fields[2]] : [fields[0], fields[1]];
  if (others.some((value) => value < 1 || value > 31)) return undefined;
  return { text, fields, yearFirst, dotted: match[2] === '.' };
}

/** Returns the only order that fits the date, or undefined when both day and month fit first. */
function orderShownBy(date: NumericDate): DateOrder | undefined {
  if (date.yearFirst) return 'ymd';
  const [first, second] = date.fields;
  if (first > 12) return 'dmy';
  if (second > 12) return 'mdy';
  return undefined;
}

/** Returns why the date does not fit `order`, or undefined when it does. */
function orderMismatch(date: NumericDate, order: DateOrder): string | undefined {
  if (date.yearFirst !== (order === 'ymd')) {
    return date.yearFirst ? 'its year comes first' : 'its year comes last';
  }
  if (order === 'ymd') return undefined;
  const month = order === 'dmy' ? date.fields[1] : date.fields[0];
  return month > 12 ? `its month would be ${month}` : undefined;
}

/** Returns the year, month and day of a date read in `order`. */
function yearMonthDay(date: NumericDate, order: DateOrder): [number, number, number] {
  const [a, b, c] = date.fields;
  if (order === 'ymd') return [a, b, c];
  return order === 'dmy' ? [c, b, a] : [c, a, b];
}

/**
 * Raised by FileDateOrder for an ambiguous date while its file's order is still open. The
 * reader then scans the file for a date that decides it, and parses the record again.
 */
export class DateOrderUndecided extends Error {
  constructor(readonly file: string) {
    super(`The date order of "${file}" is not decided yet.`);
    this.name = 'DateOrderUndecided';
  }
}

/**
 * The order of the numeric dates of one file, chosen from its own values. A day above 12 in the
 * first place makes the file day-first, one in the second place month-first, and a four-digit
 * first number year-first. The first date that shows an order decides it for the whole file, so
 * a later date that does not fit it is invalid. The reader keeps `line` at the record it parses.
 */
export class FileDateOrder {
  order: DateOrder | undefined;
  /** Line of the record being parsed. */
  line = 0;
  /** True while the reader scans ahead for a deciding date, when an ambiguous one raises nothing. */
  scanning = false;
  private decidedBy: { text: string; line: number } | undefined;
  private firstAmbiguous: { date: NumericDate; line: number } | undefined;

  constructor(readonly file: string) {}

  /**
   * Returns the file's order, deciding it from `date` when it is still open. While the order is
   * open, an ambiguous date returns undefined during a scan and raises DateOrderUndecided
   * otherwise, so that no date is read in an order that the rest of the file may contradict.
   */
  orderFor(date: NumericDate): DateOrder | undefined {
    if (this.order) return this.order;
    const dateOrder = orderShownBy(date);
    if (dateOrder) {
      this.order = dateOrder;
      this.decidedBy = { text: date.text, line: this.line };
      return dateOrder;
    }
    this.firstAmbiguous ??= { date, line: this.line };
    if (this.scanning) return undefined;
    throw new DateOrderUndecided(this.file);
  }

  /** Describes where the order came from, for the message about a date that does not fit it. */
  describeOrder(): string {
    const name = DATE_ORDER_NAMES[this.order ?? 'mdy'];
    if (this.decidedBy) {
      return `the ${name} order of this file, which ${quoteValue(this.decidedBy.text)} on line ${this.decidedBy.line} shows`;
    }
    return `the ${name} order that this file is read in, because no date before it showed one`;
  }

  /**
   * Chooses the order of a file whose dates all fit both day-first and month-first, and returns
   * the warning that names the first of them. Dotted dates are read day-first, because the
   * locales that write them (de-DE, ru-RU) put the day first. Other dates are read month-first,
   * as browsers in the en-US locale write them. Returns undefined when the
   * order is already decided or no date was ambiguous.
   */
  chooseDefault(): { line: number; message: string } | undefined {
    const first = this.firstAmbiguous;
    if (this.order || !first) return undefined;
    const order: DateOrder = first.date.dotted ? 'dmy' : 'mdy';
    const other: DateOrder = order === 'dmy' ? 'mdy' : 'dmy';
    this.order = order;
    const [year, month, day] = yearMonthDay(first.date, order);
    const isoDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    return {
      line: first.line,
      message:
        `No date in "${this.file}" shows whether the day or the month comes first, so its ` +
        `dates are read ${DATE_ORDER_NAMES[order]}: the first, ${quoteValue(first.date.text)} on ` +
        `line ${first.line}, is read as ${isoDate}. Pass --date-order ${other} if the file ` +
        `writes the ${other === 'dmy' ? 'day' : 'month'} first.`,
    };
  }
}

/** Returns the order to read a numeric date in, or the error when none applies. */
function chooseDateOrder(date: NumericDate, defaults: TimeDefaults): DateOrder | TimeResult {
  let order: DateOrder | undefined;
  let source: string;
  if (defaults.dateOrder) {
    // A four-digit first number can only be the year, so such a date needs no option. A run
    // over exports of several locales thus keeps its ja-JP dates with --date-order dmy.
    order = date.yearFirst ? 'ymd' : defaults.dateOrder;
    source = `the ${DATE_ORDER_NAMES[order]} order that the date order option (--date-order) sets`;
  } else if (defaults.fileDateOrder) {
    order = defaults.fileDateOrder.orderFor(date);
    source = defaults.fileDateOrder.describeOrder();
  } else {
    order = orderShownBy(date);
    source = '';
  }
  if (order === undefined) {
    return ambiguous(
      `Time ${quoteValue(date.text)} may be day-first or month-first: pass the date order option (--date-order) with dmy or mdy to read it.`,
    );
  }
  const mismatch = orderMismatch(date, order);
  if (mismatch === undefined) return order;
  return {
    ok: false,
    code: 'INVALID_TIME',
    message:
      `Invalid time ${quoteValue(date.text)}: ${mismatch}, which does not fit ${source}. ` +
      'Every date of a file must be in one order; pass the date order option (--date-order) to choose it.',
  };
}

function buddhistEraYear(text: string, year: number): TimeResult {
  return {
    ok: false,
    code: 'INVALID_TIME',
    message: `Invalid time ${quoteValue(text)}: the year ${year} looks like a Thai Buddhist-era year, which the th-TH locale writes. Export the log with a locale that writes Gregorian years, such as en-US.`,
  };
}

function parseNumericTime(
  text: string,
  match: RegExpExecArray,
  defaults: TimeDefaults,
): TimeResult {
  const date = readNumericDate(text, match);
  if (!date) return invalid(text);
  // The four-digit number is the year in any order, so the era is checked before the order.
  const year = date.yearFirst ? date.fields[0] : date.fields[2];
  if (year >= BUDDHIST_ERA_YEARS) return buddhistEraYear(text, year);
  const order = chooseDateOrder(date, defaults);
  if (typeof order !== 'string') return order;
  let hour = Number(match[6]);
  const before = match[5]?.toLowerCase();
  const after = match[10]?.toUpperCase();
  if (before !== undefined && after !== undefined) return invalid(text);
  if (before !== undefined || after !== undefined) {
    if (hour < 1 || hour > 12) return invalid(text);
    const afternoon = before !== undefined ? AFTERNOON_PREFIXES.has(before) : after === 'P';
    hour = (hour % 12) + (afternoon ? 12 : 0);
  }
  const [, month, day] = yearMonthDay(date, order);
  return resolveWallTime(
    text,
    {
      year,
      month,
      day,
      hour,
      minute: Number(match[7]),
      second: Number(match[8] ?? '0'),
      millisecond: milliseconds(match[9]),
      zone: undefined,
    },
    defaults,
  );
}
