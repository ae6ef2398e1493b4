import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  kqlDatetime,
  kqlDynamicArray,
  kqlIdentifier,
  kqlLiteral,
  kqlNumber,
  kqlString,
  kqlTimespan,
  type TimespanUnit,
} from '../../../src/backends/kql/kql.escape.js';
import { KQL_KEYWORDS } from '../../../src/backends/kql/kql.keywords.js';
import { HuntpackError } from '../../../src/errors.js';
import { listKustoKeywords } from '../../../src/validate/kusto-keywords.js';
import { analyzeWithoutSchemas, kindsOf, parseTokens } from './parse-tokens.js';

const PRINT_STRING = ['PrintKeyword', 'IdentifierToken', 'EqualToken', 'StringLiteralToken'];

/** Asserts that the parser reads `print x = <literal>` as one string literal equal to `value`. */
function assertStringRoundTrip(value: string): void {
  const query = `print x = ${kqlString(value)}`;
  const tokens = parseTokens(query);
  assert.deepEqual(kindsOf(tokens), PRINT_STRING, `structure of ${JSON.stringify(query)}`);
  assert.equal(tokens[3]?.valueText, value);
  assert.deepEqual(analyzeWithoutSchemas(query), []);
}

/** Returns true when `value` contains a UTF-16 surrogate that is not part of a pair. */
function hasLoneSurrogate(value: string): boolean {
  // With the `u` flag a valid pair is one code point, so the class matches lone halves only.
  return /[\uD800-\uDFFF]/u.test(value);
}

function assertHuntpackError(action: () => unknown, code: string): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof HuntpackError, `expected a HuntpackError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const STRING_CASES: Array<[string, string]> = [
  ['empty string', ''],
  ['double quote', 'a"b'],
  ['single quote', "it's"],
  ['backslash', 'C:\\Windows\\System32'],
  ['trailing backslash', 'C:\\temp\\'],
  ['escaped quote lookalike', '\\"'],
  ['newline', 'line1\nline2'],
  ['carriage return', 'a\rb'],
  ['CRLF', 'a\r\nb'],
  ['tab', 'a\tb'],
  ['NUL', 'a\0b'],
  ['bell and escape', '\u0007\u001B[31m'],
  ['DEL and C1 controls', '\u007F\u0085\u009F'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['no-break and zero-width spaces', 'a\u00A0b\u200Bc\uFEFF'],
  ['bidi override', 'exe.\u202Etxt'],
  ['pipe', 'a | take 1'],
  ['comment start', 'http://evil.example/x'],
  ['semicolon', 'a; b'],
  ['query injection', '"; T | take 1 //'],
  ['single-quoted injection', "'; T | take 1 //"],
  ['escape lookalikes', '\\u0041 \\x41 \\0 \\U0001F600 \\n'],
  ['non-ASCII letters', 'müller.example 日本語 кириллица'],
  ['astral characters', 'emoji 😀 and 𝔘'],
  ['multi-line string fence', '```x```'],
  ['verbatim prefix', '@"x"'],
];

describe('kqlString', () => {
  for (const [name, value] of STRING_CASES) {
    it(`round-trips ${name}`, () => {
      assertStringRoundTrip(value);
    });
  }

  it('writes the documented escapes', () => {
    assert.equal(kqlString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(kqlString('\n\r\t'), '"\\n\\r\\t"');
    assert.equal(kqlString("it's"), `"it's"`);
  });

  it('writes invisible characters as \\u escapes', () => {
    assert.equal(kqlString('\0'), '"\\u0000"');
    assert.equal(kqlString('\u001B'), '"\\u001B"');
    assert.equal(kqlString('\u2028'), '"\\u2028"');
    assert.equal(kqlString('\u202E'), '"\\u202E"');
    assert.equal(kqlString('a b'), '"a b"');
  });

  it('keeps printable non-ASCII text as is', () => {
    assert.equal(kqlString('日本😀'), '"日本😀"');
  });

  it('round-trips a literal inside datatable', () => {
    const value = '"; T | take 1 //\\';
    const query = `datatable(s:string)[${kqlString(value)}]`;
    const literals = parseTokens(query).filter((token) => token.kind === 'StringLiteralToken');
    assert.equal(literals.length, 1);
    assert.equal(literals[0]?.valueText, value);
    assert.deepEqual(analyzeWithoutSchemas(query), []);
  });

  it('round-trips every BMP character in one long string', () => {
    let value = '';
    for (let code = 0; code <= 0xffff; code++) {
      if (code < 0xd800 || code > 0xdfff) value += String.fromCharCode(code);
    }
    assertStringRoundTrip(value);
  });

  it('round-trips a one-megabyte string', () => {
    assertStringRoundTrip('"\\\n|;//'.repeat(131_072));
  });

  it('output contains no raw line breaks or controls', () => {
    const output = kqlString('\n\r\u0085\u2028\u0000\u001F');
    assert.doesNotMatch(output, /[\p{Cc}\u2028\u2029]/u);
  });

  for (const [name, value] of [
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate', 'a\uDC00b'],
    ['a high surrogate at the end', 'abc\uD83D'],
    ['a reversed pair', '\uDE00\uD83D'],
  ] as const) {
    it(`rejects ${name}`, () => {
      assertHuntpackError(() => kqlString(value), 'LONE_SURROGATE');
    });
  }

  it('round-trips any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (value) => {
        assertStringRoundTrip(value);
      }),
      { numRuns: 400 },
    );
  });

  it('round-trips or rejects any UTF-16 string', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 40 }), (value) => {
        if (hasLoneSurrogate(value)) assertHuntpackError(() => kqlString(value), 'LONE_SURROGATE');
        else assertStringRoundTrip(value);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps query structure for strings of query characters', () => {
    const queryChar = fc.constantFrom(...'"\'\\|/;`@()[]{}\n\r\t xh'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: queryChar, maxLength: 30 }), (value) => {
        assertStringRoundTrip(value);
      }),
      { numRuns: 400 },
    );
  });
});

/** Returns the name a query reads back from `print <name> = 1`. */
function readPrintedName(name: string): string | undefined {
  const query = `print ${kqlIdentifier(name)} = 1`;
  assert.deepEqual(analyzeWithoutSchemas(query), [], query);
  const tokens = parseTokens(query);
  if (tokens[1]?.kind === 'IdentifierToken') return tokens[1].text;
  assert.deepEqual(kindsOf(tokens.slice(1, 4)), [
    'OpenBracketToken',
    'StringLiteralToken',
    'CloseBracketToken',
  ]);
  return tokens[2]?.valueText;
}

describe('kqlIdentifier', () => {
  for (const name of ['RemoteIP', '_private', 'Column1', 'A']) {
    it(`writes ${name} bare`, () => {
      assert.equal(kqlIdentifier(name), name);
      assert.equal(readPrintedName(name), name);
    });
  }

  const bracketed = ['count', 'where', 'has', 'true', 'False', 'TRUE', 'and', 'title', 'datetime'];
  const odd = ['1abc', 'a b', 'a-b', 'a.b', "it's", 'a"b', 'müller', '$x', 'a\nb', '[x]'];
  for (const name of [...bracketed, ...odd]) {
    it(`brackets ${JSON.stringify(name)}`, () => {
      assert.match(kqlIdentifier(name), /^\[".*"\]$/s);
      assert.equal(readPrintedName(name), name);
    });
  }

  it('brackets every keyword the parser knows', () => {
    for (const keyword of KQL_KEYWORDS) {
      assert.equal(readPrintedName(keyword), keyword);
    }
  });

  it('keyword list matches the installed parser', () => {
    const expected = listKustoKeywords().filter((word) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(word));
    assert.deepEqual([...KQL_KEYWORDS].sort(), expected);
  });

  it('writes any name as a usable column', () => {
    // NOTE: the JavaScript build of the Kusto parser (12.4.1) cannot resolve a column named
    // __proto__, bare or bracketed, because it keeps names in plain JavaScript objects. No Sentinel
    // or Defender table has such a column, so the property leaves that one name out.
    const name = fc
      .oneof(
        fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
      )
      .filter((value) => value !== '__proto__');
    fc.assert(
      fc.property(name, (value) => {
        const column = kqlIdentifier(value);
        const query = `datatable(${column}:string)[] | project ${column}`;
        assert.deepEqual(analyzeWithoutSchemas(query), [], query);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects an empty name', () => {
    assertHuntpackError(() => kqlIdentifier(''), 'EMPTY_IDENTIFIER');
  });
});

describe('kqlDatetime', () => {
  const cases: Array<[string, string]> = [
    ['2026-05-13T10:00:00.000Z', 'datetime(2026-05-13T10:00:00Z)'],
    ['2026-05-13T10:00:00.120Z', 'datetime(2026-05-13T10:00:00.120Z)'],
    ['0001-01-01T00:00:00.000Z', 'datetime(0001-01-01T00:00:00Z)'],
    ['9999-12-31T23:59:59.999Z', 'datetime(9999-12-31T23:59:59.999Z)'],
  ];
  for (const [iso, expected] of cases) {
    it(`writes ${iso}`, () => {
      const date = new Date(iso);
      const literal = kqlDatetime(date);
      assert.equal(literal, expected);

      const tokens = parseTokens(`print x = ${literal}`);
      assert.deepEqual(kindsOf(tokens).slice(3), ['DateTimeLiteralToken']);
      const parsed = (tokens[3]?.value as { v: Date }).v;
      assert.equal(parsed.getTime(), date.getTime());
    });
  }

  it('rejects an invalid date', () => {
    assertHuntpackError(() => kqlDatetime(new Date('not a date')), 'INVALID_DATETIME');
  });

  it('rejects years outside 1 to 9999', () => {
    assertHuntpackError(
      () => kqlDatetime(new Date('+010000-01-01T00:00:00Z')),
      'DATETIME_OUT_OF_RANGE',
    );
    assertHuntpackError(
      () => kqlDatetime(new Date('0000-12-31T00:00:00Z')),
      'DATETIME_OUT_OF_RANGE',
    );
  });
});

describe('kqlTimespan', () => {
  const TICKS_PER_MILLISECOND = 10_000;
  const cases: Array<[number, TimespanUnit, string, number]> = [
    [7, 'd', '7d', 7 * 86_400_000 * TICKS_PER_MILLISECOND],
    [1.5, 'h', '1.5h', 1.5 * 3_600_000 * TICKS_PER_MILLISECOND],
    [30, 'm', '30m', 30 * 60_000 * TICKS_PER_MILLISECOND],
    [10, 's', '10s', 10 * 1_000 * TICKS_PER_MILLISECOND],
    [250, 'ms', '250ms', 250 * TICKS_PER_MILLISECOND],
    [3, 'microsecond', '3microsecond', 30],
    [2, 'tick', '2tick', 2],
    [0, 'd', '0d', 0],
  ];
  for (const [amount, unit, expected, ticks] of cases) {
    it(`writes ${expected}`, () => {
      const literal = kqlTimespan(amount, unit);
      assert.equal(literal, expected);

      const tokens = parseTokens(`print x = ${literal}`);
      assert.deepEqual(kindsOf(tokens).slice(3), ['TimespanLiteralToken']);
      const parsed = tokens[3]?.value as { ticks: { toString(): string } };
      assert.equal(parsed.ticks.toString(), String(ticks));
    });
  }

  for (const amount of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1e-7, 1e21]) {
    it(`rejects the amount ${amount}`, () => {
      assertHuntpackError(() => kqlTimespan(amount, 'd'), 'INVALID_TIMESPAN');
    });
  }

  it('rejects an unknown unit', () => {
    assertHuntpackError(() => kqlTimespan(1, 'w' as TimespanUnit), 'INVALID_TIMESPAN');
  });
});

describe('kqlNumber', () => {
  const cases: Array<[number, string, string]> = [
    [0, '0', 'LongLiteralToken'],
    [42, '42', 'LongLiteralToken'],
    [-5, '-5', 'LongLiteralToken'],
    [Number.MAX_SAFE_INTEGER, '9007199254740991', 'LongLiteralToken'],
    [2 ** 60, '1.152921504606847e18', 'RealLiteralToken'],
    [0.1, '0.1', 'RealLiteralToken'],
    [-2.5, '-2.5', 'RealLiteralToken'],
    [1e-7, '1e-7', 'RealLiteralToken'],
    [1e21, '1e21', 'RealLiteralToken'],
  ];
  for (const [value, expected, kind] of cases) {
    it(`writes ${expected}`, () => {
      const literal = kqlNumber(value);
      assert.equal(literal, expected);

      const tokens = parseTokens(`print x = ${literal}`).slice(3);
      const number = tokens.at(-1);
      assert.equal(number?.kind, kind);
      const sign = tokens.length === 2 && tokens[0]?.kind === 'MinusToken' ? -1 : 1;
      assert.equal(sign * Number(number?.valueText), value);
    });
  }

  for (const value of [Number.NaN, Number.NEGATIVE_INFINITY]) {
    it(`rejects ${value}`, () => {
      assertHuntpackError(() => kqlNumber(value), 'INVALID_NUMBER');
    });
  }
});

describe('kqlLiteral and kqlDynamicArray', () => {
  it('writes booleans', () => {
    assert.equal(kqlLiteral(true), 'true');
    assert.equal(kqlLiteral(false), 'false');
  });

  it('writes a mixed array that parses back', () => {
    const values = ['a"b', 'C:\\x\\', 7, -2.5, true, '"]); T | take 1 //'];
    const literal = kqlDynamicArray(values);
    assert.equal(
      literal,
      String.raw`dynamic(["a\"b", "C:\\x\\", 7, -2.5, true, "\"]); T | take 1 //"])`,
    );

    const query = `print x = ${literal}`;
    assert.deepEqual(analyzeWithoutSchemas(query), []);
    const strings = parseTokens(query).filter((token) => token.kind === 'StringLiteralToken');
    assert.deepEqual(
      strings.map((token) => token.valueText),
      ['a"b', 'C:\\x\\', '"]); T | take 1 //'],
    );
  });

  it('writes an empty array', () => {
    assert.equal(kqlDynamicArray([]), 'dynamic([])');
    assert.deepEqual(analyzeWithoutSchemas('print x = dynamic([])'), []);
  });

  it('rejects a lone surrogate inside an array', () => {
    assertHuntpackError(() => kqlDynamicArray(['ok', '\uD800']), 'LONE_SURROGATE');
  });
});
