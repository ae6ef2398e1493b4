/**
 * Turns a parsed STIX pattern into indicators, or explains why it cannot be hunted as one.
 *
 * Observations joined by OR are separate branches, because any one of them is evidence on its
 * own. The alternatives joined by OR inside one observation are branches too, because `[A OR B]`
 * matches the same observations as `[A] OR [B]`. Each branch is hunted when it can be, and the
 * branches that cannot are returned with their reason. A WITHIN qualifier or REPEATS 1 TIMES on
 * observations joined only by OR is met by one sighting, so it is ignored. A branch is an `=`
 * comparison or an `IN` set on a usable property, or an AND of them: AND is accepted only between
 * the address and port of one network-traffic object, or between hashes of one file. Anything
 * else in a branch (other operators, FOLLOWEDBY, other qualifiers, AND across objects or
 * observations, an `unconverted_term` placeholder) makes that whole branch unusable, and the
 * pattern is unusable when no branch is left.
 */
import { isIP } from 'node:net';
import type { HashKind } from '../../indicators/model.js';
import {
  chainOperands,
  formatObjectPath,
  type Comparison,
  type ComparisonExpression,
  type Literal,
  type Observation,
  type ObservationExpression,
  type Qualifier,
} from './pattern-ast.js';
import { printLiteral, printPattern } from './pattern-print.js';

/** One indicator found in a pattern, with the feed's own value text. */
export interface PatternIndicator {
  type: 'ip' | 'ip-port' | 'domain' | 'url' | HashKind;
  value: string;
  port?: number;
  /** Set to `source` when the address is a network-traffic `src_ref` (the C2 as the source). */
  side?: 'source';
  /** Object path the value came from, such as `network-traffic:dst_ref.value`. */
  path: string;
}

/** An OR branch that cannot be hunted, as pattern text with the reason. */
export interface OmittedBranch {
  pattern: string;
  reason: string;
}

export type PatternExtraction =
  | {
      usable: true;
      indicators: PatternIndicator[];
      ignored: string[];
      /** OR branches left out, while the other branches are hunted. */
      omitted: OmittedBranch[];
    }
  | { usable: false; reason: string };

/** An `=` or `IN` comparison reduced to its path text and the set of allowed values. */
interface SetTest {
  comparison: Comparison;
  /** Object path without the object type, such as `hashes.MD5` or `dst_ref.value`. */
  property: string;
  values: Literal[];
}

class UnusablePattern extends Error {}

const QUALIFIER_NAMES = {
  within: 'WITHIN',
  repeats: 'REPEATS',
  'start-stop': 'START/STOP',
} as const;

/** Extracts the indicators a pattern names, or the reason it cannot be used. */
export function extractPatternIndicators(tree: ObservationExpression): PatternExtraction {
  const indicators: PatternIndicator[] = [];
  const ignored: string[] = [];
  const omitted: OmittedBranch[] = [];
  const branches = splitObservationOr(tree).flatMap(splitComparisonOr);
  for (const branch of branches) {
    try {
      const found = branchIndicators(branch);
      indicators.push(...found.indicators);
      ignored.push(...found.ignored);
    } catch (error) {
      if (!(error instanceof UnusablePattern)) throw error;
      omitted.push({ pattern: printPattern(branch), reason: error.message });
    }
  }
  if (omitted.length < branches.length) return { usable: true, indicators, ignored, omitted };
  if (omitted.length === 1) return { usable: false, reason: omitted[0]!.reason };
  const reasons = listBranches(omitted, (branch) => `${branch.pattern}: ${branch.reason}`);
  return { usable: false, reason: `no OR branch can be hunted (${reasons})` };
}

/**
 * Maximum number of omitted branches named in one message. The others are only counted, because
 * a pattern can OR thousands of terms, and a message that lists them all can be megabytes long.
 */
const MAX_LISTED_BRANCHES = 10;

/** Joins the first omitted branches with ", and ", then counts the rest. */
export function listBranches(
  omitted: OmittedBranch[],
  describe: (branch: OmittedBranch) => string,
): string {
  const listed = omitted.slice(0, MAX_LISTED_BRANCHES).map(describe);
  const rest = omitted.length - listed.length;
  if (rest > 0) listed.push(`${rest} more ${rest === 1 ? 'branch' : 'branches'}`);
  return listed.join(', and ');
}

/**
 * Splits a pattern into the observation expressions joined by OR, in source order. A qualifier
 * that one sighting meets (WITHIN, REPEATS 1 TIMES) is removed on the way, and other qualifiers
 * are kept. An OR chain is a tree as deep as it is long, so it is walked with an explicit stack.
 */
function splitObservationOr(tree: ObservationExpression): ObservationExpression[] {
  const branches: ObservationExpression[] = [];
  const pending = [tree];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === 'observation-binary' && node.operator === 'OR') {
      pending.push(node.right, node.left);
    } else if (node.kind === 'qualified' && isMetByOneSighting(node.qualifier)) {
      pending.push(node.expression);
    } else {
      branches.push(node);
    }
  }
  return branches;
}

/** Splits one observation `[A OR B]` into `[A]` and `[B]`, which match the same observations. */
function splitComparisonOr(branch: ObservationExpression): ObservationExpression[] {
  if (branch.kind !== 'observation') return [branch];
  return splitOr(branch.expression).map((expression) => ({ kind: 'observation', expression }));
}

/**
 * Reports whether one sighting meets a qualifier on observations joined only by OR. WITHIN bounds
 * the time between the sightings that match, and one sighting has no such time. REPEATS 1 TIMES
 * requires one match.
 */
function isMetByOneSighting(qualifier: Qualifier): boolean {
  return qualifier.kind === 'within' || (qualifier.kind === 'repeats' && qualifier.times === 1);
}

/** Extracts the indicators of one OR branch, or throws UnusablePattern with the reason. */
function branchIndicators(branch: ObservationExpression): {
  indicators: PatternIndicator[];
  ignored: string[];
} {
  const ignored: string[] = [];
  const operands = splitAnd(singleObservation(branch).expression);
  rejectPlaceholderInAnd(operands);
  const indicators = indicatorsOfTerm(operands.map(toSetTest), ignored);
  return { indicators, ignored };
}

/**
 * Rejects a branch that ANDs an `unconverted_term` placeholder with other comparisons, at any
 * depth. The placeholder replaces a condition that was lost in conversion, so hunting the other
 * comparisons without it would not be the pattern the feed wrote.
 */
function rejectPlaceholderInAnd(operands: ComparisonExpression[]): void {
  if (operands.length < 2) return;
  const placeholder = operands.map(findPlaceholder).find((text) => text !== undefined);
  if (placeholder === undefined) return;
  throw new UnusablePattern(
    `the placeholder ${placeholder} is AND-ed with other comparisons, which cannot be hunted without the condition it replaces`,
  );
}

/** Returns the first placeholder in source order, walking with a stack for long chains. */
function findPlaceholder(expression: ComparisonExpression): string | undefined {
  const pending = [expression];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.kind === 'unconverted-term') return node.text;
    if (node.kind === 'comparison-binary') pending.push(node.right, node.left);
  }
  return undefined;
}

function singleObservation(branch: ObservationExpression): Observation {
  switch (branch.kind) {
    case 'observation':
      return branch;
    case 'qualified':
      throw new UnusablePattern(
        branch.qualifier.kind === 'start-stop'
          ? 'the START/STOP qualifier limits sightings to a time window, which a single-indicator hunt cannot express'
          : `the ${QUALIFIER_NAMES[branch.qualifier.kind]} qualifier needs several sightings over time, which a single-indicator hunt cannot express`,
      );
    case 'observation-binary':
      throw new UnusablePattern(
        `${branch.operator} between observations requires more than one sighting, which a single-indicator hunt cannot express`,
      );
  }
}

function splitOr(expression: ComparisonExpression): ComparisonExpression[] {
  if (expression.kind === 'comparison-binary' && expression.operator === 'OR') {
    return chainOperands(expression);
  }
  return [expression];
}

function splitAnd(expression: ComparisonExpression): ComparisonExpression[] {
  if (expression.kind === 'comparison-binary' && expression.operator === 'AND') {
    return chainOperands(expression);
  }
  return [expression];
}

/**
 * Reduces one AND operand to a set test. An OR group inside an AND is accepted only when every
 * alternative tests the same property with `=`, because it then means the same as `IN`.
 */
function toSetTest(expression: ComparisonExpression): SetTest {
  if (expression.kind === 'exists') {
    throw new UnusablePattern(
      `EXISTS ${formatObjectPath(expression.path)} names no value to hunt for`,
    );
  }
  if (expression.kind === 'unconverted-term') {
    throw new UnusablePattern(
      `${expression.text} is a placeholder that a STIX 1 converter (the OASIS stix2-elevator) writes for an observable it could not convert, so it names no value to hunt for`,
    );
  }
  if (expression.kind === 'comparison') return comparisonToSetTest(expression);
  if (expression.operator === 'AND') {
    throw new UnusablePattern('AND inside an OR inside an AND cannot be split into indicators');
  }
  const alternatives = splitOr(expression).map(toSetTest);
  const first = alternatives[0];
  const sameProperty = alternatives.every(
    (test) =>
      test.comparison.path.objectType === first?.comparison.path.objectType &&
      test.property === first.property,
  );
  if (!first || !sameProperty) {
    throw new UnusablePattern(
      'OR between different properties inside an AND cannot be split into indicators',
    );
  }
  return { ...first, values: alternatives.flatMap((test) => test.values) };
}

function comparisonToSetTest(comparison: Comparison): SetTest {
  const path = formatObjectPath(comparison.path);
  if (comparison.negated || (comparison.operator !== '=' && comparison.operator !== 'IN')) {
    const operator = `${comparison.negated ? 'NOT ' : ''}${comparison.operator}`;
    throw new UnusablePattern(
      `the ${operator} operator on ${path} cannot be hunted as an exact indicator`,
    );
  }
  const values = Array.isArray(comparison.value) ? comparison.value : [comparison.value];
  const property = path.slice(comparison.path.objectType.length + 1);
  return { comparison, property, values };
}

function indicatorsOfTerm(term: SetTest[], ignored: string[]): PatternIndicator[] {
  const objectTypes = [...new Set(term.map((test) => test.comparison.path.objectType))];
  if (objectTypes.length > 1) {
    throw new UnusablePattern(
      `AND across different objects (${objectTypes.join(', ')}) in one observation cannot be hunted as one indicator`,
    );
  }
  const objectType = objectTypes[0] ?? '';
  switch (objectType) {
    case 'ipv4-addr':
    case 'ipv6-addr':
      return singleValueIndicators(term, 'ip');
    case 'domain-name':
      return singleValueIndicators(term, 'domain');
    case 'url':
      return singleValueIndicators(term, 'url');
    case 'file':
      return fileIndicators(term, ignored);
    case 'network-traffic':
      return networkTrafficIndicators(term);
    default:
      throw new UnusablePattern(
        `object type "${objectType}" has no indicator kind that huntpack hunts for`,
      );
  }
}

function singleValueIndicators(term: SetTest[], type: 'ip' | 'domain' | 'url'): PatternIndicator[] {
  const [test, ...rest] = term;
  if (!test || test.property !== 'value') {
    throw new UnusablePattern(
      `${formatObjectPath(term[0]!.comparison.path)} is not a property huntpack hunts for`,
    );
  }
  if (rest.length > 0) {
    throw new UnusablePattern(
      `AND between comparisons on ${test.comparison.path.objectType} cannot be hunted as one indicator`,
    );
  }
  const path = formatObjectPath(test.comparison.path);
  return test.values.map((literal) => ({ type, value: stringValue(literal, path), path }));
}

const HASH_KEYS: Readonly<Record<string, HashKind>> = {
  MD5: 'md5',
  SHA1: 'sha1',
  SHA256: 'sha256',
};

/** Maps any spelling of a hash key (`MD5`, `'SHA-1'`, `SHA256`, `sha_256`) to a hash kind. */
function hashKind(property: string): HashKind | undefined {
  const key = /^hashes\.(.+)$/.exec(property)?.[1];
  if (key === undefined) return undefined;
  return HASH_KEYS[key.replace(/^'|'$/g, '').toUpperCase().replace(/[-_ ]/g, '')];
}

/**
 * Hashes of one file. Other `file:` properties AND-ed with a hash (name, size) are ignored and
 * reported, because the hash alone identifies the content those properties describe.
 */
function fileIndicators(term: SetTest[], ignored: string[]): PatternIndicator[] {
  const hashTests = term.filter((test) => hashKind(test.property) !== undefined);
  const others = term.filter((test) => hashKind(test.property) === undefined);
  if (hashTests.length === 0) {
    const path = formatObjectPath(term[0]!.comparison.path);
    throw new UnusablePattern(
      `${path} is not a property huntpack hunts for (only file hashes MD5, SHA-1 and SHA-256 are)`,
    );
  }
  if (hashTests.length > 1 && hashTests.some((test) => test.values.length !== 1)) {
    throw new UnusablePattern(
      'a set of hashes AND-ed with another hash of the same file cannot be split into indicators',
    );
  }
  const kinds = hashTests.map((test) => hashKind(test.property));
  if (new Set(kinds).size < kinds.length) {
    throw new UnusablePattern('the same hash of one file is compared twice with AND');
  }
  for (const test of others) ignored.push(formatObjectPath(test.comparison.path));
  return hashTests.flatMap((test) => {
    const path = formatObjectPath(test.comparison.path);
    const type = hashKind(test.property)!;
    return test.values.map((literal) => ({ type, value: stringValue(literal, path), path }));
  });
}

const TRAFFIC_PROPERTIES = new Set([
  'dst_ref.value',
  'dst_ref.type',
  'dst_port',
  'src_ref.value',
  'src_ref.type',
  'src_port',
]);

/** Address (and port) of one end of a network-traffic object: `dst_ref`, or `src_ref` for a C2 given as the source. */
function networkTrafficIndicators(term: SetTest[]): PatternIndicator[] {
  const byProperty = new Map<string, SetTest>();
  for (const test of term) {
    const path = formatObjectPath(test.comparison.path);
    if (!TRAFFIC_PROPERTIES.has(test.property)) {
      throw new UnusablePattern(
        `${path} narrows the connection in a way an address or address-and-port indicator cannot express`,
      );
    }
    if (byProperty.has(test.property))
      throw new UnusablePattern(`${path} is compared twice with AND`);
    byProperty.set(test.property, test);
  }
  const hasDst = byProperty.has('dst_ref.value');
  const hasSrc = byProperty.has('src_ref.value');
  if (hasDst === hasSrc) {
    throw new UnusablePattern(
      hasDst
        ? 'network-traffic names both a source and a destination address, which one indicator cannot express'
        : 'network-traffic names no dst_ref.value or src_ref.value address',
    );
  }
  const side = hasDst ? 'dst' : 'src';
  const other = hasDst ? 'src' : 'dst';
  for (const property of [`${other}_ref.type`, `${other}_port`]) {
    if (byProperty.has(property)) {
      throw new UnusablePattern(
        `network-traffic:${property} describes the other end of the connection from ${side}_ref.value`,
      );
    }
  }
  return trafficEndIndicators(byProperty, side);
}

function trafficEndIndicators(
  byProperty: Map<string, SetTest>,
  side: 'dst' | 'src',
): PatternIndicator[] {
  const valueTest = byProperty.get(`${side}_ref.value`)!;
  const path = formatObjectPath(valueTest.comparison.path);
  const declaredType = refType(byProperty.get(`${side}_ref.type`));
  const portTest = byProperty.get(`${side}_port`);
  const ports = portTest ? portTest.values.map((literal) => portValue(literal, side)) : [undefined];
  const indicators: PatternIndicator[] = [];
  for (const literal of valueTest.values) {
    const value = stringValue(literal, path);
    const type = declaredType ?? (isIP(value) ? 'ip' : 'domain');
    for (const port of ports) {
      if (port !== undefined && type === 'domain') {
        throw new UnusablePattern(
          `${path} is a domain name with a port, and huntpack has no domain-and-port indicator kind`,
        );
      }
      const indicator: PatternIndicator =
        port === undefined ? { type, value, path } : { type: 'ip-port', value, port, path };
      if (side === 'src') indicator.side = 'source';
      indicators.push(indicator);
    }
  }
  return indicators;
}

function refType(test: SetTest | undefined): 'ip' | 'domain' | undefined {
  if (!test) return undefined;
  const path = formatObjectPath(test.comparison.path);
  const types = new Set(test.values.map((literal) => stringValue(literal, path)));
  if ([...types].every((type) => type === 'ipv4-addr' || type === 'ipv6-addr')) return 'ip';
  if (types.size === 1 && types.has('domain-name')) return 'domain';
  throw new UnusablePattern(
    `${path} = ${[...types].join(', ')} is not an address type huntpack hunts for`,
  );
}

function portValue(literal: Literal, side: 'dst' | 'src'): number {
  const text =
    literal.kind === 'integer'
      ? String(literal.value)
      : literal.kind === 'string'
        ? literal.value
        : '';
  const port = /^\d{1,5}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UnusablePattern(
      `network-traffic:${side}_port ${printLiteral(literal)} is not a port from 0 to 65535`,
    );
  }
  return port;
}

function stringValue(literal: Literal, path: string): string {
  if (literal.kind !== 'string') {
    throw new UnusablePattern(
      `${path} is compared with ${printLiteral(literal)}, but a string was expected`,
    );
  }
  return literal.value;
}
