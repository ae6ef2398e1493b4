/**
 * Evaluates a KQL `where` condition on one row in JavaScript, reading it as Microsoft's Kusto
 * parser tokenizes it. No Kusto engine runs here, so each function follows its Kusto
 * documentation: parse_ipv6, ipv6_is_in_any_range, ipv4_is_in_any_range, trim_start, extract,
 * isempty, coalesce and not. Any other function or operator throws, so a test cannot pass by skipping a part.
 *
 * NOTE: the address parsing is that of ipaddr.js 2.5, except that an IPv6 address with a dotted
 * IPv4 tail follows RFC 4291 (see `withHexTail`). Kusto's own parser may accept spellings that
 * this one rejects (such as IPv4 with leading zeros), and the reverse. No Kusto engine has
 * confirmed how parse_ipv6 reads the IPv4-compatible `::1.2.3.4`.
 */
import ipaddr from 'ipaddr.js';
import { parseTokens, type ParsedToken } from '../backends/kql/parse-tokens.js';

/** A KQL value: null stands for Kusto's null, and an array for a `dynamic([...])` of strings. */
type KqlValue = string | boolean | null | string[];

/** Returns the value of `condition` for `row`. A column missing from `row` reads as "". */
export function evaluateKqlCondition(
  condition: string,
  row: Readonly<Record<string, string>>,
): boolean | null {
  // `print` makes the condition a whole query, and the tokens after `=` are the condition.
  const tokens = parseTokens(`print Result = ${condition}`).slice(3);
  const reader = new ConditionReader(tokens, row);
  const value = reader.readOr();
  reader.expectEnd();
  if (value !== null && typeof value !== 'boolean') {
    throw new Error(`The condition is ${JSON.stringify(value)}, not a bool.`);
  }
  return value;
}

class ConditionReader {
  private index = 0;

  constructor(
    private readonly tokens: readonly ParsedToken[],
    private readonly row: Readonly<Record<string, string>>,
  ) {}

  expectEnd(): void {
    const token = this.tokens[this.index];
    if (token) throw new Error(`Unexpected ${token.text} at token ${this.index}.`);
  }

  /**
   * Reads `a or b or ...`, with SQL's three-valued logic for null, where true wins over null.
   * NOTE: this follows SQL, not a Kusto source. Compiled exclusions coalesce every null first.
   */
  readOr(): KqlValue {
    const values = [this.readAnd()];
    while (this.peek()?.kind === 'OrKeyword') {
      this.index += 1;
      values.push(this.readAnd());
    }
    if (values.length === 1) return values[0]!;
    if (values.some((value) => value === true)) return true;
    return values.some((value) => value === null) ? null : false;
  }

  /** Reads `a and b and ...`, where false wins over null. */
  private readAnd(): KqlValue {
    const values = [this.readPrimary()];
    while (this.peek()?.kind === 'AndKeyword') {
      this.index += 1;
      values.push(this.readPrimary());
    }
    if (values.length === 1) return values[0]!;
    if (values.some((value) => value === false)) return false;
    return values.some((value) => value === null) ? null : true;
  }

  private readPrimary(): KqlValue {
    const token = this.next();
    switch (token.kind) {
      case 'OpenParenToken': {
        const value = this.readOr();
        this.expect('CloseParenToken');
        return value;
      }
      case 'BooleanLiteralToken':
        return token.text === 'true';
      case 'StringLiteralToken':
        return token.valueText;
      case 'LongLiteralToken':
        // A number is only read as an argument, such as extract's group, and kept as its text.
        return token.text;
      case 'DynamicKeyword':
        return this.readDynamicArray();
      case 'IdentifierToken':
        if (this.peek()?.kind === 'OpenParenToken') return this.readCall(token.text);
        return this.row[token.text] ?? '';
      default:
        throw new Error(`Unsupported token ${token.kind} ${JSON.stringify(token.text)}.`);
    }
  }

  private readDynamicArray(): string[] {
    this.expect('OpenParenToken');
    this.expect('OpenBracketToken');
    const items: string[] = [];
    while (this.peek()?.kind !== 'CloseBracketToken') {
      if (items.length > 0) this.expect('CommaToken');
      items.push(this.expect('StringLiteralToken').valueText);
    }
    this.expect('CloseBracketToken');
    this.expect('CloseParenToken');
    return items;
  }

  private readCall(name: string): KqlValue {
    this.expect('OpenParenToken');
    const args: KqlValue[] = [];
    while (this.peek()?.kind !== 'CloseParenToken') {
      if (args.length > 0) this.expect('CommaToken');
      args.push(this.readOr());
    }
    this.expect('CloseParenToken');
    return callFunction(name, args);
  }

  private peek(): ParsedToken | undefined {
    return this.tokens[this.index];
  }

  private next(): ParsedToken {
    const token = this.tokens[this.index];
    if (!token) throw new Error('The condition ends too early.');
    this.index += 1;
    return token;
  }

  private expect(kind: string): ParsedToken {
    const token = this.next();
    if (token.kind !== kind)
      throw new Error(`Expected ${kind}, got ${JSON.stringify(token.text)}.`);
    return token;
  }
}

function callFunction(name: string, args: KqlValue[]): KqlValue {
  switch (name) {
    case 'not':
      return args[0] === null ? null : !(args[0] as boolean);
    case 'coalesce':
      // Kusto's coalesce skips null and, for strings, the empty string.
      return args.find((value) => value !== null && value !== '') ?? null;
    case 'trim_start': {
      const [pattern, text] = args as [string, string];
      return text.replace(new RegExp(`^(?:${pattern})`), '');
    }
    case 'extract': {
      // Supports group 1 only, and patterns that JavaScript reads as RE2 does.
      const [pattern, group, text] = args as [string, string, string];
      if (group !== '1') throw new Error(`Unsupported extract group ${group}.`);
      return new RegExp(pattern).exec(text)?.[1] ?? '';
    }
    case 'isempty':
      return args[0] === null || args[0] === '';
    case 'parse_ipv6':
      return parseIpv6(args[0] as string);
    case 'ipv6_is_in_any_range':
      return ipv6InAnyRange(args[0] as string, args[1] as string[]);
    case 'ipv4_is_in_any_range':
      return ipv4InAnyRange(args[0] as string, args[1] as string[]);
    default:
      throw new Error(`Unsupported function ${name}().`);
  }
}

/**
 * Kusto's parse_ipv6: the address in eight groups of four hexadecimal digits, an IPv4 address
 * in its IPv4-mapped form, and the empty string for text that is no address. An address with a
 * prefix is masked to it, as in the documentation's example, where `192.168.255.255/24` gives
 * `0000:0000:0000:0000:0000:ffff:c0a8:ff00`.
 */
function parseIpv6(text: string): string {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  let address: ipaddr.IPv6;
  let prefix = 128;
  const hex = withHexTail(addressText);
  if (ipaddr.IPv4.isValidFourPartDecimal(addressText)) {
    address = ipaddr.IPv4.parse(addressText).toIPv4MappedAddress();
    if (prefixText !== undefined) prefix = 96 + Number(prefixText);
    if (!/^\d{1,2}$/.test(prefixText ?? '0') || prefix > 128) return '';
  } else if (hex !== undefined && ipaddr.IPv6.isValid(hex) && !hex.includes('%')) {
    address = ipaddr.IPv6.parse(hex);
    if (prefixText !== undefined) prefix = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText ?? '0') || prefix > 128) return '';
  } else {
    return '';
  }
  const parts = address.parts.map((part, index) => {
    const keptBits = Math.min(16, Math.max(0, prefix - index * 16));
    return part & (0xffff << (16 - keptBits)) & 0xffff;
  });
  return parts.map((part) => part.toString(16).padStart(4, '0')).join(':');
}

/**
 * Returns IPv6 text with its dotted IPv4 tail written as two hexadecimal groups, or undefined
 * when the tail is not strict dotted decimal. ipaddr.js 2.5 reads `::1.2.3.4` as
 * `::ffff:1.2.3.4`, but RFC 4291 (section 2.5.5.1) makes it the IPv4-compatible `::102:304`.
 */
function withHexTail(text: string): string | undefined {
  const tailStart = text.lastIndexOf(':') + 1;
  const tail = text.slice(tailStart);
  if (tailStart === 0 || !tail.includes('.')) return text;
  if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  const [a, b, c, d] = ipaddr.IPv4.parse(tail).octets as [number, number, number, number];
  return `${text.slice(0, tailStart)}${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
}

/** Kusto's ipv6_is_in_any_range: null when the address or a range is not valid IPv6. */
function ipv6InAnyRange(text: string, ranges: string[]): boolean | null {
  if (!ipaddr.IPv6.isValid(text)) return null;
  const address = ipaddr.IPv6.parse(text);
  let found = false;
  for (const range of ranges) {
    if (!range.includes(':') || !ipaddr.IPv6.isValidCIDR(range)) return null;
    if (address.match(ipaddr.IPv6.parseCIDR(range))) found = true;
  }
  return found;
}

/** Kusto's ipv4_is_in_any_range: null when the address or a range is not valid IPv4. */
function ipv4InAnyRange(text: string, ranges: string[]): boolean | null {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return null;
  const address = ipaddr.IPv4.parse(text);
  let found = false;
  for (const range of ranges) {
    if (!ipaddr.IPv4.isValidCIDRFourPartDecimal(range)) return null;
    if (address.match(ipaddr.IPv4.parseCIDR(range))) found = true;
  }
  return found;
}
