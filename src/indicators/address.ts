/**
 * Strict parsing of IP addresses and ports into canonical text.
 *
 * IPv4 is accepted only as four dotted decimal octets. Shorthand forms (`127.1`), hex (`0x7f.0.0.1`)
 * and leading zeros (`010.1.1.1`) are rejected, because tools disagree on what they mean: inet_aton
 * reads `010` as octal 8, most log pipelines read it as decimal 10. A URL host is the exception:
 * `parseBrowserIPv4` reads its hex and octal parts as browsers do. IPv6 is written in RFC 5952
 * form (lower case, longest zero run compressed), and an IPv4-mapped address (`::ffff:1.2.3.4`)
 * becomes its IPv4 address, so both spellings of one host meet in one indicator.
 */
import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { quoteValue } from '../errors.js';
import { isRejection, ValueRejection } from './rejection.js';

export type AddressFamily = 'ipv4' | 'ipv6';

export interface ParsedAddress {
  /** Canonical text: dotted decimal IPv4, or RFC 5952 IPv6 without brackets. */
  address: string;
  family: AddressFamily;
}

export interface ParsedIpPort extends ParsedAddress {
  port: number;
}

const CHAR_0 = 48;
const CHAR_9 = 57;
const MAX_PORT = 65535;

function isDigitCode(code: number): boolean {
  return code >= CHAR_0 && code <= CHAR_9;
}

/**
 * Parses dotted decimal IPv4. Returns the text itself when valid, because a strict dotted
 * decimal address is already canonical.
 */
export function parseIPv4(text: string): string | ValueRejection {
  let octets = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text.charCodeAt(i) !== 46) {
      if (!isDigitCode(text.charCodeAt(i))) return invalidIPv4(text);
      continue;
    }
    const length = i - start;
    if (length === 0 || length > 3) return invalidIPv4(text);
    if (length > 1 && text.charCodeAt(start) === CHAR_0) {
      const octet = text.slice(start, i);
      return new ValueRejection(
        'AMBIGUOUS_IPV4',
        `The IPv4 octet ${quoteValue(octet)} has a leading zero, so it is ambiguous: some tools read it as octal and others as decimal.${describeBrowserReading(text)} Expected dotted decimal without leading zeros, so write the intended address.`,
      );
    }
    if (Number(text.slice(start, i)) > 255) return invalidIPv4(text);
    octets++;
    start = i + 1;
  }
  return octets === 4 ? text : invalidIPv4(text);
}

function invalidIPv4(text: string): ValueRejection {
  return new ValueRejection(
    'INVALID_IP',
    `The address ${quoteValue(text)} is not a valid IPv4 address.${describeBrowserReading(text)} Expected four dotted decimal octets from 0 to 255, such as 192.0.2.10.`,
  );
}

/**
 * Says which address a browser would connect to for a hex, octal or shorthand IPv4 form such as
 * `94.0x4A.164.136`, using the WHATWG URL host parser, so the analyst can declare it if intended.
 */
function describeBrowserReading(text: string): string {
  const reading = domainToASCII(text);
  if (reading === '' || reading === text || !/^\d+\.\d+\.\d+\.\d+$/.test(reading)) return '';
  return ` Browsers (WHATWG URL parsing) read it as ${reading}.`;
}

/**
 * Reads four dot-separated parts that are each decimal, hex (`0x4A`) or octal (leading `0`) the
 * way WHATWG URL host parsing does, and returns the dotted decimal address. Returns undefined for
 * any other text, including an octal part with an 8 or 9, a part above 255 and the shorthand
 * forms with fewer than four parts.
 */
export function parseBrowserIPv4(text: string): string | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    const octet = parseBrowserIPv4Part(part);
    if (octet === undefined || octet > 255) return undefined;
    octets.push(octet);
  }
  return octets.join('.');
}

function parseBrowserIPv4Part(part: string): number | undefined {
  // WHATWG reads `0x` alone as 0, and a leading 0 before more digits as octal.
  if (/^0[xX][0-9A-Fa-f]*$/.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
  if (/^(?:0|[1-9][0-9]*)$/.test(part)) return Number(part);
  return undefined;
}

/** Parses IPv6 text without brackets into RFC 5952 form, reducing IPv4-mapped addresses to IPv4. */
export function parseIPv6(text: string): ParsedAddress | ValueRejection {
  if (text.includes('%')) {
    return new ValueRejection(
      'IPV6_ZONE_ID',
      `The IPv6 address ${quoteValue(text)} has a zone id (the part after "%"), which is local to one host and never appears in an indicator. Expected the address without "%zone".`,
    );
  }
  let hexText = text;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    // An embedded IPv4 tail (`::ffff:1.2.3.4`) is checked by the strict IPv4 rules and rewritten
    // as two hex groups, because ipaddr.js accepts looser IPv4 forms there.
    const ipv4 = parseIPv4(text.slice(lastColon + 1));
    if (ipv4 instanceof ValueRejection) {
      return ipv4.code === 'AMBIGUOUS_IPV4' ? ipv4 : invalidIPv6(text);
    }
    const [a = 0, b = 0, c = 0, d = 0] = ipv4.split('.').map(Number);
    hexText = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  if (!/^[0-9A-Fa-f:]+$/.test(hexText)) return invalidIPv6(text);
  let parsed: ipaddr.IPv6;
  try {
    parsed = ipaddr.IPv6.parse(hexText);
  } catch {
    return invalidIPv6(text);
  }
  if (parsed.isIPv4MappedAddress()) {
    return { address: parsed.toIPv4Address().toString(), family: 'ipv4' };
  }
  return { address: parsed.toRFC5952String(), family: 'ipv6' };
}

function invalidIPv6(text: string): ValueRejection {
  return new ValueRejection(
    'INVALID_IP',
    `The address ${quoteValue(text)} is not a valid IPv6 address. Expected up to eight colon-separated groups of 1 to 4 hex digits, such as 2001:db8::1.`,
  );
}

/** Parses an IPv4 or IPv6 address (IPv6 with or without brackets). */
export function parseAddress(text: string): ParsedAddress | ValueRejection {
  if (text.includes('/')) {
    return new ValueRejection(
      'INVALID_IP',
      `The value ${quoteValue(text)} is a CIDR range, and huntpack hunts single addresses only. Expected one address, so list the addresses of the range that the source reports.`,
    );
  }
  if (text.startsWith('[') && text.endsWith(']')) return parseIPv6(text.slice(1, -1));
  if (text.includes(':')) return parseIPv6(text);
  const ipv4 = parseIPv4(text);
  return ipv4 instanceof ValueRejection ? ipv4 : { address: ipv4, family: 'ipv4' };
}

/**
 * Parses a port written as decimal digits, 1 to 65535, for ip:port values and URLs. Leading
 * zeros are harmless here.
 */
export function parsePort(text: string): number | ValueRejection {
  let port = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isDigitCode(code)) return invalidPort(text);
    port = port * 10 + (code - CHAR_0);
    if (port > MAX_PORT) return invalidPort(text);
  }
  if (text.length === 0) return invalidPort(text);
  return port === 0 ? rejectPortZero() : port;
}

/** Checks a port that a reader parsed from a separate field, such as MISP `ip-dst|port`. */
export function checkPortNumber(port: number): number | ValueRejection {
  if (port === 0) return rejectPortZero();
  return Number.isInteger(port) && port > 0 && port <= MAX_PORT ? port : invalidPort(String(port));
}

/**
 * Rejects port 0, which TCP and UDP reserve. No connection is made to it, so an indicator with
 * port 0 can never match a logged connection.
 */
function rejectPortZero(): ValueRejection {
  return new ValueRejection(
    'INVALID_PORT',
    'The port 0 is reserved and no connection uses it. Expected a port from 1 to 65535.',
  );
}

function invalidPort(text: string): ValueRejection {
  return new ValueRejection(
    'INVALID_PORT',
    `The port ${quoteValue(text)} is invalid. Expected an integer from 1 to 65535.`,
  );
}

/**
 * Parses `address:port`. IPv6 may be bracketed (`[2001:db8::1]:443`) or not
 * (`2a02:cf40:1::5:40669`). An unbracketed value always ends in its port, so the text after the
 * last colon is the port.
 *
 * `separatePort` is a port the feed gave in another field. It fills in a missing port and must
 * equal a port written in the value. When it is given, an unbracketed value that is a whole IPv6
 * address is read as an address without a port.
 */
export function parseIpPort(text: string, separatePort?: number): ParsedIpPort | ValueRejection {
  const split = splitIpPort(text, separatePort);
  if (split instanceof ValueRejection) return split;

  const parsed = parseAddress(split.addressText);
  if (parsed instanceof ValueRejection) {
    // `2001:db8::1` splits into an invalid address and port 1; the whole text is an address.
    const wholeIsIPv6 = split.portText !== undefined && !isRejection(parseIPv6(text));
    return wholeIsIPv6 ? missingPort(text) : parsed;
  }
  const port = choosePort(text, split.portText, separatePort);
  if (port instanceof ValueRejection) return port;
  return { address: parsed.address, family: parsed.family, port };
}

interface IpPortParts {
  addressText: string;
  /** Text after the port colon, or undefined when the value has no port colon. */
  portText: string | undefined;
}

function splitIpPort(text: string, separatePort: number | undefined): IpPortParts | ValueRejection {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) {
      return new ValueRejection(
        'INVALID_IP',
        'The opening "[" has no closing "]". Expected [IPv6 address]:port.',
      );
    }
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      return new ValueRejection(
        'INVALID_IP',
        `Unexpected text ${quoteValue(after)} after "]". Expected [IPv6 address]:port.`,
      );
    }
    return {
      addressText: text.slice(1, close),
      portText: after === '' ? undefined : after.slice(1),
    };
  }

  const lastColon = text.lastIndexOf(':');
  if (lastColon < 0) return { addressText: text, portText: undefined };
  const unbracketedIPv6 = text.indexOf(':') !== lastColon;
  if (unbracketedIPv6 && separatePort !== undefined && !isRejection(parseIPv6(text))) {
    return { addressText: text, portText: undefined };
  }
  return { addressText: text.slice(0, lastColon), portText: text.slice(lastColon + 1) };
}

function choosePort(
  text: string,
  portText: string | undefined,
  separatePort: number | undefined,
): number | ValueRejection {
  const separate = separatePort === undefined ? undefined : checkPortNumber(separatePort);
  if (separate instanceof ValueRejection) return separate;
  if (portText === undefined || portText === '') return separate ?? missingPort(text);

  const port = parsePort(portText);
  if (port instanceof ValueRejection) return port;
  if (separate !== undefined && separate !== port) {
    return new ValueRejection(
      'PORT_CONFLICT',
      `The value has port ${port} but the feed gives port ${separate} in a separate field. Expected one port, so fix the feed record.`,
    );
  }
  return port;
}

function missingPort(text: string): ValueRejection {
  const hint =
    text.indexOf(':') !== text.lastIndexOf(':')
      ? ' An unbracketed IPv6 value ends in its port, so write [address]:port.'
      : '';
  return new ValueRejection(
    'MISSING_PORT',
    `The value has no port. Expected address:port, such as 192.0.2.10:443 or [2001:db8::1]:443.${hint}`,
  );
}
