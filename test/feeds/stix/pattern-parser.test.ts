import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type {
  ComparisonExpression,
  Literal,
  ObjectPath,
  ObservationExpression,
} from '../../../src/feeds/stix/pattern-ast.js';
import { StixPatternError } from '../../../src/feeds/stix/pattern-lexer.js';
import { parsePattern } from '../../../src/feeds/stix/pattern-parser.js';
import { printPattern } from '../../../src/feeds/stix/pattern-print.js';

function syntaxError(pattern: string): StixPatternError {
  try {
    parsePattern(pattern);
  } catch (error) {
    assert.ok(error instanceof StixPatternError, `expected StixPatternError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${pattern} to be rejected`);
}

describe('parsePattern', () => {
  it('parses quoted path parts and list indexes', () => {
    const tree = parsePattern(
      "[network-traffic:extensions.'http-request-ext'.request_header.'Accept' = 'x' AND email-message:body_multipart[*].body_raw_ref.name = 'y']",
    );
    assert.equal(tree.kind, 'observation');
    assert.equal(
      printPattern(tree),
      "[network-traffic:extensions.'http-request-ext'.request_header.Accept = 'x' AND email-message:body_multipart[*].body_raw_ref.name = 'y']",
    );
  });

  it('decodes escaped quotes and backslashes', () => {
    const tree = parsePattern("[url:value = '\\'http://a\\\\b']");
    assert.equal(tree.kind, 'observation');
    const comparison = tree.kind === 'observation' ? tree.expression : undefined;
    assert.equal(comparison?.kind, 'comparison');
    assert.deepEqual(comparison?.kind === 'comparison' && comparison.value, {
      kind: 'string',
      value: "'http://a\\b",
    });
  });

  it('binds AND tighter than OR and OR tighter than FOLLOWEDBY', () => {
    const tree = parsePattern('[a:x = 1] OR [a:x = 2] AND [a:x = 3] FOLLOWEDBY [a:x = 4]');
    assert.equal(tree.kind === 'observation-binary' && tree.operator, 'FOLLOWEDBY');
    const left = tree.kind === 'observation-binary' ? tree.left : undefined;
    assert.equal(left?.kind === 'observation-binary' && left.operator, 'OR');
    const right = left?.kind === 'observation-binary' ? left.right : undefined;
    assert.equal(right?.kind === 'observation-binary' && right.operator, 'AND');
  });

  it('reads qualifiers, sets and every operator', () => {
    const pattern =
      "[file:size > 10 AND file:size <= 20 AND file:name NOT LIKE 'a%' AND file:name MATCHES '^b' AND file:x ISSUBSET '10.0.0.0/8' AND file:x ISSUPERSET 'c' AND file:name IN ('a', 'b') AND file:y != true AND EXISTS file:z] WITHIN 5.5 SECONDS REPEATS 3 TIMES START t'2024-01-01T00:00:00Z' STOP t'2024-02-01T00:00:00.5Z'";
    assert.equal(parsePattern(printPattern(parsePattern(pattern))).kind, 'qualified');
    assert.equal(printPattern(parsePattern(pattern)), pattern);
  });

  it('accepts lower-case STIX 2.0 keywords and == and <>', () => {
    const printed = printPattern(parsePattern("[a:x == 'v' and a:y <> 2] or [a:z = h'0aff']"));
    assert.equal(printed, "[a:x = 'v' AND a:y != 2] OR [a:z = h'0aff']");
  });

  it('rejects unconverted_term with its offset', () => {
    const error = syntaxError('[unconverted_term:mandiant:observable-1]');
    assert.equal(error.offset, 26);
    assert.equal(error.code, 'STIX_PATTERN_SYNTAX');
    assert.match(error.message, /offset 26/);
  });

  it('rejects an invalid escape in a string', () => {
    const error = syntaxError("[file:name = 'c:\\windows']");
    assert.equal(error.offset, 16);
    assert.match(error.message, /Invalid escape/);
  });

  it('rejects an unquoted property name with a hyphen', () => {
    assert.match(syntaxError("[file:hashes.SHA-256 = 'a']").message, /must be quoted/);
  });

  it('rejects truncated and unbalanced patterns', () => {
    for (const pattern of [
      '',
      '[',
      "[a:b = 'c'",
      "[a:b = 'c']]",
      "([a:b = 'c']",
      '[a:b =]',
      "[a:b 'c']",
    ]) {
      assert.ok(syntaxError(pattern) instanceof StixPatternError, pattern);
    }
  });

  it('rejects deeply nested parentheses without overflowing the stack', () => {
    const pattern = `${'('.repeat(5000)}[a:b = 1]${')'.repeat(5000)}`;
    assert.match(syntaxError(pattern).message, /nested deeper/);
  });

  it('rejects malformed literals', () => {
    for (const pattern of [
      "[a:b = t'2024-13-01T00:00:00Z']",
      "[a:b = h'abc']",
      "[a:b = b'']",
      '[a:b = 007]',
    ]) {
      assert.ok(syntaxError(pattern) instanceof StixPatternError, pattern);
    }
  });
});

describe('parsePattern properties', () => {
  it('throws only StixPatternError on random input', () => {
    const alphabet = fc.constantFrom(..."[]()':.,*=!<>-+ \\abtxhAND OR IN0123456789_".split(''));
    const patternText = fc.oneof(
      fc.string(),
      fc.string({ unit: alphabet, maxLength: 60 }),
      fc
        .string({ unit: alphabet, maxLength: 20 })
        .map((tail) => `[file:hashes.'SHA-256' = '${tail}`),
    );
    fc.assert(
      fc.property(patternText, (pattern) => {
        try {
          parsePattern(pattern);
        } catch (error) {
          if (!(error instanceof StixPatternError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips printed syntax trees', () => {
    fc.assert(
      fc.property(observationArbitrary(), (tree) => {
        // structuredClone gives the generated records the plain prototype that parsed nodes have.
        assert.deepEqual(parsePattern(printPattern(tree)), structuredClone(tree));
      }),
      { numRuns: 1000 },
    );
  });
});

function observationArbitrary(): fc.Arbitrary<ObservationExpression> {
  const identifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/);
  const objectType = fc
    .stringMatching(/^[a-z][a-z0-9-]{0,8}$/)
    .filter(
      (name) =>
        !/^(and|or|not|in|like|matches|exists|last|start|stop|seconds|within|repeats|times|followedby|issubset|issuperset|true|false)$/i.test(
          name,
        ),
    );
  const path: fc.Arbitrary<ObjectPath> = fc.record({
    objectType,
    steps: fc
      .tuple(
        fc.oneof(identifier, fc.string()).map((name) => ({ kind: 'property' as const, name })),
        fc.array(
          fc.oneof(
            fc.oneof(identifier, fc.string()).map((name) => ({ kind: 'property' as const, name })),
            fc
              .oneof(fc.constant('*' as const), fc.integer({ min: -5, max: 50 }))
              .map((index) => ({ kind: 'index' as const, index })),
          ),
          { maxLength: 3 },
        ),
      )
      .map(([first, rest]) => [first, ...rest]),
  });
  const literal: fc.Arbitrary<Literal> = fc.oneof(
    fc.string().map((value) => ({ kind: 'string' as const, value })),
    fc
      .integer({ min: -1_000_000, max: 1_000_000 })
      .map((value) => ({ kind: 'integer' as const, value })),
    fc.boolean().map((value) => ({ kind: 'boolean' as const, value })),
    fc.constantFrom('0.5', '-1.25', '10.0').map((text) => ({ kind: 'float' as const, text })),
    fc.constantFrom('2024-01-01T00:00:00Z').map((value) => ({ kind: 'timestamp' as const, value })),
    fc.constantFrom('', '0aFF').map((value) => ({ kind: 'hex' as const, value })),
    fc.constantFrom('AAAA', 'AB==').map((value) => ({ kind: 'binary' as const, value })),
  );
  const { comparison } = fc.letrec<{ comparison: ComparisonExpression }>((tie) => ({
    comparison: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({
        kind: fc.constant('comparison' as const),
        path,
        operator: fc.constantFrom('=' as const, '!=' as const),
        negated: fc.boolean(),
        value: literal,
      }),
      fc.record({
        kind: fc.constant('comparison' as const),
        path,
        operator: fc.constant('IN' as const),
        negated: fc.boolean(),
        value: fc.array(literal, { maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant('exists' as const), path }),
      fc.record({
        kind: fc.constant('comparison-binary' as const),
        operator: fc.constantFrom('AND' as const, 'OR' as const),
        left: tie('comparison'),
        right: tie('comparison'),
      }),
    ),
  }));
  const { observation } = fc.letrec<{ observation: ObservationExpression }>((tie) => ({
    observation: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ kind: fc.constant('observation' as const), expression: comparison }),
      fc.record({
        kind: fc.constant('observation-binary' as const),
        operator: fc.constantFrom('AND' as const, 'OR' as const, 'FOLLOWEDBY' as const),
        left: tie('observation'),
        right: tie('observation'),
      }),
      fc.record({
        kind: fc.constant('qualified' as const),
        expression: tie('observation'),
        qualifier: fc.oneof(
          fc.integer({ min: 0, max: 999 }).map((times) => ({ kind: 'repeats' as const, times })),
          fc.integer({ min: 0, max: 999 }).map((value) => ({
            kind: 'within' as const,
            seconds: { kind: 'integer' as const, value },
          })),
          fc.constant({
            kind: 'start-stop' as const,
            start: '2024-01-01T00:00:00Z',
            stop: '2024-01-02T00:00:00Z',
          }),
        ),
      }),
    ),
  }));
  return observation;
}
