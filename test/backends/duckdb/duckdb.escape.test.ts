import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  sqlIdentifier,
  sqlLiteral,
  sqlNumber,
  sqlString,
} from '../../../src/backends/duckdb/duckdb.escape.js';
import { compileDuckDbFilter } from '../../../src/backends/duckdb/duckdb.filter.js';
import { UnsupportedFeatureError } from '../../../src/errors.js';

// eslint-disable-next-line no-control-regex -- names with control characters are rejected
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Strings weighted toward the characters that end or escape a literal. */
const hostile = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({
    unit: fc.constantFrom(
      "'",
      '"',
      '\\',
      '\n',
      '\r',
      '\0',
      ';',
      '--',
      '/*',
      '|',
      'a',
      '\u2028',
      '\u{1F600}',
    ),
  }),
);

describe('DuckDB escaping', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('reads every string literal back unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const reader = await connection.runAndReadAll(
          `SELECT ${sqlString(value)} AS v, 1 AS marker`,
        );
        assert.deepEqual(reader.getRows(), [[value, 1]]);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every identifier one name', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile.filter((name) => name !== '' && !CONTROL.test(name)),
        async (name) => {
          const reader = await connection.runAndReadAll(`SELECT 42 AS ${sqlIdentifier(name)}`);
          assert.deepEqual(reader.columnNames(), [name]);
          assert.deepEqual(reader.getRows(), [[42]]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps a filter one expression whatever its literals', async () => {
    const resolver = {
      column: () => ({ sql: 'v', kind: 'string' as const }),
      address: () => undefined,
    };
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (value, other) => {
        const filter = compileDuckDbFilter(
          {
            kind: 'or',
            terms: [
              { kind: 'compare', column: 'c', op: '==', value },
              { kind: 'text', column: 'c', op: 'contains', value: other },
            ],
          },
          resolver,
        );
        const reader = await connection.runAndReadAll(
          `SELECT ${filter} AS hit FROM (SELECT ${sqlString(value)} AS v)`,
        );
        assert.deepEqual(reader.getRows(), [[true]]);
      }),
      { numRuns: 200 },
    );
  });

  it('writes numbers that read back exactly', async () => {
    for (const value of [0, -1, 2 ** 53 - 1, 1.5, -0.1, 1e300, 2 ** 60]) {
      const reader = await connection.runAndReadAll(`SELECT ${sqlNumber(value)}::DOUBLE`);
      assert.equal(reader.getRows()[0]![0], value);
    }
  });

  it('writes a control character with chr', () => {
    assert.equal(sqlString('a\nb'), "('a' || chr(10) || 'b')");
    assert.equal(sqlString("it's"), "'it''s'");
    assert.equal(sqlString('back\\slash'), "'back\\slash'");
    assert.equal(sqlLiteral(true), 'TRUE');
  });

  it('rejects values DuckDB cannot hold', () => {
    assert.throws(() => sqlString('a\uD800b'), UnsupportedFeatureError);
    assert.throws(() => sqlIdentifier(''), UnsupportedFeatureError);
    assert.throws(() => sqlIdentifier('a\nb'), UnsupportedFeatureError);
    assert.throws(() => sqlNumber(Number.NaN), UnsupportedFeatureError);
  });
});
