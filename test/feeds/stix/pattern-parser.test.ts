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

  it('reads unconverted_term placeholders as terms', () => {
    // Indicator indicator--27d9d4b8-9230-4472-9b5c-f3783982c752 of
    // test/fixtures/stix/oasis-elevator_apt1-appendix-g-iocs_stix21.json, copied whole.
    const pattern =
      "[file:hashes.MD5 = '8845cb5b4e450cb10a3b6ca41a9b4319' OR file:hashes.MD5 = '3de1bd0f2107198931177b2b23877df4' OR file:hashes.MD5 = 'd5fd1ce9189cd54f157d691e317c0821' OR file:hashes.MD5 = '15a33f8fe11b94bdd38bff651f6a5cd1' OR ((file:name = 'GTalk.exe' OR file:name = 'googlehelp.exe' OR file:name = 'iexplore.exe' OR unconverted_term:mandiant:observable-5282e97b-24d0-4152-aabe-80070dfc1b0a) AND (file:size = 353792 OR file:size = 357888 OR file:size = 529004) AND (file:extensions.'windows-pebinary-ext'.time_date_stamp = '2011-08-16T09:05:19Z' OR file:extensions.'windows-pebinary-ext'.time_date_stamp = '2012-05-31T08:26:57Z' OR file:extensions.'windows-pebinary-ext'.time_date_stamp = '2011-05-28T16:04:29Z'))]";
    const tree = parsePattern(pattern);
    // The printer drops the redundant parentheses around the AND.
    assert.equal(printPattern(tree), pattern.replace('((', '(').replace("Z'))]", "Z')]"));
    assert.deepEqual(parsePattern(printPattern(tree)), tree);
    const expression = tree.kind === 'observation' ? tree.expression : undefined;
    const and = expression?.kind === 'comparison-binary' ? expression.right : undefined;
    assert.equal(and?.kind === 'comparison-binary' && and.operator, 'AND');
    const names = and?.kind === 'comparison-binary' ? and.left : undefined;
    const group = names?.kind === 'comparison-binary' ? names.left : undefined;
    assert.equal(group?.kind === 'comparison-binary' && group.operator, 'OR');
    assert.deepEqual(group?.kind === 'comparison-binary' && group.right, {
      kind: 'unconverted-term',
      text: 'unconverted_term:mandiant:observable-5282e97b-24d0-4152-aabe-80070dfc1b0a',
    });
    const alone = parsePattern('[unconverted_term:WinExecutableFileObj.exports]');
    assert.deepEqual(alone, {
      kind: 'observation',
      expression: {
        kind: 'unconverted-term',
        text: 'unconverted_term:WinExecutableFileObj.exports',
      },
    });
  });

  it('reads placeholder near comments, lower-case or', () => {
    const tree = parsePattern('[unconverted_term:a /* note */ or (unconverted_term:b)]');
    assert.equal(printPattern(tree), '[unconverted_term:a OR unconverted_term:b]');
  });

  it('keeps unconverted_term object type', () => {
    const cases = [
      "[unconverted_term:x = 'a']",
      "[unconverted_term:x.y NOT IN ('a')]",
      '[unconverted_term:x[*] = 1]',
      '[EXISTS unconverted_term:x]',
      '[EXISTS unconverted_term:x OR a:b = 1]',
      "[a:b = 'c' AND EXISTS unconverted_term:x]",
    ];
    for (const pattern of cases) {
      const printed = printPattern(parsePattern(pattern));
      assert.equal(printed, pattern, pattern);
      assert.ok(!JSON.stringify(parsePattern(pattern)).includes('unconverted-term'), pattern);
    }
  });

  it('rejects placeholders that are not a whole comparison', () => {
    const cases: [string, number, RegExp][] = [
      // No AND, OR, ')' or ']' follows, so the text is lexed as an object path.
      ['[unconverted_term:mandiant:observable-1', 26, /Expected a comparison operator/],
      ['[unconverted_term:abc def OR unconverted_term:x]', 22, /Expected a comparison operator/],
      ["[unconverted_term:'quoted' OR a:b = 'c']", 27, /Expected a comparison operator/],
      ['[unconverted_term: OR a:b = 1]', 22, /Expected a comparison operator/],
      // A placeholder is read only where a comparison can start.
      ["[a:b = 'c'] OR unconverted_term:x", 15, /Expected '\[' or '\('/],
      ["(unconverted_term:x OR [a:b = 'c'])", 1, /found the placeholder "unconverted_term:x"/],
      ['[file:name = unconverted_term:x]', 13, /Expected a literal value/],
      ['[file:name IN (unconverted_term:x)]', 15, /literal value in the set/],
      ['[file:hashes.MD5 = NOT unconverted_term:x]', 19, /Expected a literal value/],
    ];
    for (const [pattern, offset, message] of cases) {
      const error = syntaxError(pattern);
      assert.equal(error.code, 'STIX_PATTERN_SYNTAX', pattern);
      assert.equal(error.offset, offset, pattern);
      assert.match(error.message, message, pattern);
    }
  });

  it('syntax error cuts long names', () => {
    const error = syntaxError(`[a:b = 'c'] ${'b'.repeat(100_000)}`);
    assert.match(error.message, /found the name "b{80}…"/);
    assert.ok(error.message.length < 400, String(error.message.length));
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
    .oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.constant('unconverted_term'))
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
      fc
        .stringMatching(/^unconverted_term:[A-Za-z0-9_.:-]{1,12}$/)
        .map((text) => ({ kind: 'unconverted-term' as const, text })),
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
