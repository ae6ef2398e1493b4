import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLookback } from '../../src/cli/build.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('lookback accepts the range ends', () => {
  assert.deepEqual(parseLookback('1d'), { amount: 1, unit: 'd' });
  assert.deepEqual(parseLookback('9999d'), { amount: 9999, unit: 'd' });
  assert.deepEqual(parseLookback('1h'), { amount: 1, unit: 'h' });
  assert.deepEqual(parseLookback('9999h'), { amount: 9999, unit: 'h' });
  assert.deepEqual(parseLookback(' 30d '), { amount: 30, unit: 'd' });
});

test('lookback outside the range names it', () => {
  for (const text of ['0d', '10000d', '0h', '10000h', '30m', '1.5d', '-1d', 'd', '']) {
    assert.throws(
      () => parseLookback(text),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, `${text}: ${String(error)}`);
        assert.equal(error.code, 'INVALID_LOOKBACK');
        assert.ok(error.message.includes(`"${text}"`), error.message);
        assert.match(error.message, /from 1d to 9999d/);
        assert.match(error.message, /from 1h to 9999h/);
        return true;
      },
      text,
    );
  }
});

test('build rejects lookback 10000d', async (t) => {
  const out = makeTempDir('lookback', t);
  const result = await runCli([
    'build',
    'test/fixtures/packs/remcos-example.csv',
    '--lookback',
    '10000d',
    '--out',
    out,
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Invalid --lookback "10000d": .*from 1d to 9999d/);
});
