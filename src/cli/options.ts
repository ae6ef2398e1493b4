/** Option parsers shared by the commands. */
import type { Lookback } from '../compile/ir.js';
import { UsageError } from '../errors.js';
import { parseKinds, parseSince, type IndicatorFilterOptions } from '../indicators/filter.js';

/**
 * Returns the parser of a repeatable, comma-separated option (`--family a,b --family c`), which
 * collects every value into one list. A value without items, such as `--family ""` from an unset
 * shell variable, is a usage error: ignored, it would leave the option out and widen the run.
 */
export function listOption(flag: string): (value: string, previous?: string[]) => string[] {
  return (value, previous = []) => {
    const items = value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (items.length === 0) {
      throw new UsageError(
        'INVALID_OPTION',
        `Invalid ${flag} ${JSON.stringify(value)}: expected one or more values, separated by commas.`,
      );
    }
    return [...previous, ...items];
  };
}

/**
 * Returns the parser of a file or folder option, which rejects an empty value, such as
 * `--out ""` from an unset shell variable: read as the current folder, it would write there.
 */
export function pathOption(flag: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') {
      throw new UsageError('INVALID_OPTION', `Invalid ${flag} "": expected a path.`);
    }
    return value;
  };
}

/**
 * Returns the parser of a repeatable path option, which collects every value and rejects an
 * empty one. Paths are not split on commas, because a file name may contain one.
 */
export function pathListOption(flag: string): (value: string, previous?: string[]) => string[] {
  const parse = pathOption(flag);
  return (value, previous = []) => [...previous, parse(value)];
}

/** Parses a whole number option from `min` to `max`, or raises a usage error naming the flag. */
export function parseWholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
    throw new UsageError(
      'INVALID_OPTION',
      `Invalid ${flag} "${text}": expected a whole number from ${min} to ${max}.`,
    );
  }
  return value;
}

/** Parses `--max-age`: a whole number of days from 1 to 36500, with or without a `d` suffix. */
export function parseMaxAge(text: string): number {
  const match = /^(\d+)d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!match || days < 1 || days > 36500) {
    throw new UsageError(
      'INVALID_OPTION',
      `Invalid --max-age "${text}": expected a whole number of days from 1 to 36500, such as 14 or 14d.`,
    );
  }
  return days;
}

/** Parses `--lookback`: a whole number of days (`30d`) or hours (`12h`), from 1 to 9999. */
export function parseLookback(text: string): Lookback {
  const match = /^(\d{1,4})([dh])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : NaN;
  if (!match || amount < 1) {
    throw new UsageError(
      'INVALID_LOOKBACK',
      `Invalid --lookback "${text}": expected a whole number of days from 1d to 9999d or of hours from 1h to 9999h, such as 30d or 12h.`,
    );
  }
  return { amount, unit: match[2] as 'd' | 'h' };
}

/** The indicator filter options of `build` and of `hunt --feed`; only `build` has `--max-age`. */
export interface IndicatorFilterFlags {
  family?: string[];
  iocType?: string[];
  threatType?: string[];
  minConfidence?: string;
  since?: string;
  maxAge?: string;
}

/** Turns the indicator filter options into the filters of the feed reader. */
export function indicatorFilterOptions(
  flags: IndicatorFilterFlags,
  now: Date,
): IndicatorFilterOptions {
  // An indicator past its expiry date is never hunted; it is counted as filtered out.
  const options: IndicatorFilterOptions = { dropExpired: true };
  if (flags.family?.length) options.families = flags.family;
  if (flags.iocType?.length) options.kinds = parseKinds(flags.iocType);
  if (flags.threatType?.length) options.threatTypes = flags.threatType;
  if (flags.minConfidence !== undefined) {
    options.minConfidence = parseWholeNumber('--min-confidence', flags.minConfidence, 0, 100);
  }
  if (flags.since !== undefined) options.since = parseSince(flags.since, now);
  if (flags.maxAge !== undefined) {
    options.maxAgeDays = parseMaxAge(flags.maxAge);
  }
  return options;
}
