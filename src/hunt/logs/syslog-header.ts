/**
 * Reads the syslog header in front of a CEF message: RFC 3164 (`<134>Aug  3 12:00:00 host`,
 * month names in several languages, optionally with a year) or RFC 5424
 * (`<134>1 2021-06-18T10:55:50Z host app procid msgid -`). Anything else, such as the `ASM:`
 * prefix of F5 devices, yields no header.
 */
import { parseMonthName } from './log-time.js';

export interface SyslogHeader {
  /** The timestamp text as written; RFC 3164 times have no year and no zone. */
  timeText: string;
  /** The HOSTNAME field, when present. */
  host: string | undefined;
}

const TIME_OF_DAY = /^\d{1,2}:\d{2}:\d{2}(?:\.\d+)?$/;

/** Parses the text before `CEF:`; returns undefined when it is not a syslog header. */
export function parseSyslogHeader(prefix: string): SyslogHeader | undefined {
  const tokens = prefix.split(/\s+/).filter((token) => token !== '');
  let first = tokens[0];
  if (first === undefined) return undefined;

  if (first.startsWith('<')) {
    const close = first.indexOf('>');
    if (close < 0) return undefined;
    first = first.slice(close + 1);
    if (first === '') tokens.shift();
    else tokens[0] = first;
  }
  // RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA.
  if (/^\d{1,2}$/.test(tokens[0] ?? '') && /^\d{4}-/.test(tokens[1] ?? '')) {
    return { timeText: tokens[1] ?? '', host: nilToUndefined(tokens[2]) };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(tokens[0] ?? '')) {
    return { timeText: tokens[0] ?? '', host: hostToken(tokens[1]) };
  }
  return parseRfc3164(tokens);
}

function parseRfc3164(tokens: string[]): SyslogHeader | undefined {
  const [month, day, third, fourth] = tokens;
  if (month === undefined || parseMonthName(month) === undefined) return undefined;
  if (day === undefined || !/^\d{1,2}$/.test(day)) return undefined;
  if (third !== undefined && TIME_OF_DAY.test(third)) {
    return { timeText: `${month} ${day} ${third}`, host: hostToken(tokens[3]) };
  }
  if (third !== undefined && /^\d{4}$/.test(third) && fourth && TIME_OF_DAY.test(fourth)) {
    return { timeText: `${month} ${day} ${third} ${fourth}`, host: hostToken(tokens[4]) };
  }
  return undefined;
}

/** Returns the token as a host name unless it is a CEF vendor prefix such as `ASM:`. */
function hostToken(token: string | undefined): string | undefined {
  if (token === undefined || token.endsWith(':')) return undefined;
  return token;
}

function nilToUndefined(token: string | undefined): string | undefined {
  return token === '-' ? undefined : token;
}
