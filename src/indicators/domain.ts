/**
 * Domain name normalization: lower case, no trailing dot, internationalized names in punycode
 * (IDNA ToASCII as WHATWG URL host parsing does it, through node:url `domainToASCII`).
 *
 * Labels follow the host name rules of RFC 1123 (letters, digits and hyphens, 1 to 63 characters,
 * no hyphen at either end, 253 characters in all) with one exception: underscores are accepted,
 * because real C2 host names contain them and DNS resolves them.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { quoteValue } from '../errors.js';
import { parseIPv6 } from './address.js';
import {
  describeCharacters,
  findIdnaDisallowedFormats,
  findIdnaIgnoredCharacters,
} from './invisible-characters.js';
import { isRejection, ValueRejection } from './rejection.js';

const MAX_LABEL_LENGTH = 63;
const MAX_DOMAIN_LENGTH = 253;

/** Returns the canonical form of a domain name, or why it is not one. */
export function normalizeDomain(text: string): string | ValueRejection {
  let domain = text.endsWith('.') ? text.slice(0, -1) : text;
  if (hasNonAscii(domain)) {
    const ascii = domainToASCII(domain);
    const disallowed = ascii === '' ? findIdnaDisallowedFormats(domain) : [];
    if (disallowed.length > 0) {
      return new ValueRejection(
        'INVALID_DOMAIN',
        `The name ${quoteValue(text)} contains ${describeCharacters(disallowed)}, which IDNA does not allow in a domain name. A direction control or joiner inside a name is a sign of a spoofed value, so check the source.`,
      );
    }
    if (ascii === '') {
      return new ValueRejection(
        'INVALID_DOMAIN',
        `The name ${quoteValue(text)} is not a valid internationalized domain name. Expected a name that IDNA can convert to punycode.`,
      );
    }
    domain = ascii;
  } else {
    domain = domain.toLowerCase();
  }

  if (domain.includes(':')) return rejectColon(domain);
  const labelProblem = checkLabels(domain);
  if (labelProblem) return labelProblem;
  if (domain.includes('xn--') && domainToASCII(domain) === '') {
    return new ValueRejection(
      'INVALID_DOMAIN',
      `The name ${quoteValue(domain)} has an "xn--" label that is not valid punycode. Expected labels that decode to Unicode.`,
    );
  }
  return domain;
}

/**
 * Returns why normalization removed invisible characters from a domain name, as a clause that
 * follows "because", or undefined when it removed none. IDNA mapping removes them silently, so
 * callers warn with the value as given and the value used, as for a refanged value.
 */
export function describeRemovedCharacters(text: string): string | undefined {
  if (!hasNonAscii(text)) return undefined;
  const removed = findIdnaIgnoredCharacters(text);
  if (removed.length === 0) return undefined;
  return `IDNA mapping removes ${describeCharacters(removed)} from domain names, as browsers do`;
}

/**
 * Returns the Unicode form of a canonical host name that has a punycode (`xn--`) label, as
 * browsers show it and some proxies log it, or undefined when it has none.
 */
export function unicodeHostName(host: string): string | undefined {
  if (!host.includes('xn--')) return undefined;
  const unicode = domainToUnicode(host);
  return unicode === '' || unicode === host ? undefined : unicode;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) return true;
  }
  return false;
}

function rejectColon(domain: string): ValueRejection {
  if (!isRejection(parseIPv6(domain.startsWith('[') ? domain.slice(1, -1) : domain))) {
    return new ValueRejection(
      'DOMAIN_IS_IP',
      `The value ${quoteValue(domain)} is an IPv6 address, not a domain name. Declare it as ip.`,
    );
  }
  return new ValueRejection(
    'INVALID_DOMAIN',
    `The name ${quoteValue(domain)} contains ":". Expected a bare host name, so declare a value with a port as ip:port and a value with a scheme as url.`,
  );
}

/** Checks the characters and lengths of every label, then the number and kind of labels. */
function checkLabels(domain: string): ValueRejection | undefined {
  if (domain.length === 0) return invalidDomain(domain, 'is empty');
  if (domain.length > MAX_DOMAIN_LENGTH) {
    return invalidDomain(domain, `is ${domain.length} characters long`, 'at most 253');
  }
  let labels = 0;
  let start = 0;
  let lastLabelNumeric = true;
  for (let i = 0; i <= domain.length; i++) {
    const code = i < domain.length ? domain.charCodeAt(i) : 46;
    if (code !== 46) {
      if (!isLabelCode(code)) {
        return invalidDomain(domain, `contains ${quoteValue(domain[i])}`, HOST_CHARACTERS);
      }
      continue;
    }
    const problem = checkLabel(domain, start, i);
    if (problem) return problem;
    labels++;
    lastLabelNumeric = isNumeric(domain, start, i);
    start = i + 1;
  }
  if (lastLabelNumeric) return numericDomain(domain, labels);
  if (labels < 2) {
    return new ValueRejection(
      'SINGLE_LABEL_DOMAIN',
      `The name ${quoteValue(domain)} has a single label. Expected a name with a dot, such as example.com, because a bare label resolves differently on every network.`,
    );
  }
  return undefined;
}

const HOST_CHARACTERS = 'letters, digits, hyphens and underscores between dots';

function checkLabel(domain: string, start: number, end: number): ValueRejection | undefined {
  const length = end - start;
  if (length === 0) return invalidDomain(domain, 'has an empty label', HOST_CHARACTERS);
  if (length > MAX_LABEL_LENGTH) {
    return invalidDomain(domain, `has a label of ${length} characters`, 'at most 63 per label');
  }
  if (domain.charCodeAt(start) === 45 || domain.charCodeAt(end - 1) === 45) {
    const label = domain.slice(start, end);
    return invalidDomain(
      domain,
      `has the label ${quoteValue(label)}, which starts or ends with a hyphen`,
      HOST_CHARACTERS,
    );
  }
  return undefined;
}

function numericDomain(domain: string, labels: number): ValueRejection {
  if (labels === 4) {
    return new ValueRejection(
      'DOMAIN_IS_IP',
      `The value ${quoteValue(domain)} is written like an IPv4 address, not a domain name. Declare it as ip.`,
    );
  }
  return invalidDomain(domain, 'ends in a numeric label', 'a top-level domain with a letter');
}

function invalidDomain(domain: string, problem: string, expected?: string): ValueRejection {
  const expectation = expected ? ` Expected ${expected}.` : '';
  return new ValueRejection(
    'INVALID_DOMAIN',
    `The name ${quoteValue(domain)} ${problem}.${expectation}`,
  );
}

/** Letters, digits, hyphen and underscore, after lower-casing. */
function isLabelCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 45 || code === 95;
}

function isNumeric(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
