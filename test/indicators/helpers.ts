/**
 * Builders for raw records and checks on normalization results, shared by the indicator tests.
 */
import assert from 'node:assert/strict';
import type { HuntpackIssue } from '../../src/errors.js';
import type { Indicator, RawIndicator } from '../../src/indicators/model.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';

export const TEST_SOURCE = { file: 'feed.csv', line: 7, id: '1784524' };

/** Returns a raw record with an empty context, located at {@link TEST_SOURCE}. */
export function rawIndicator(
  type: string,
  value: string,
  extra: Partial<Omit<RawIndicator, 'type' | 'value'>> = {},
): RawIndicator {
  return { type, value, context: {}, source: TEST_SOURCE, ...extra };
}

/** Normalizes a record that must be accepted, and returns the indicator with its warnings. */
export function accept(raw: RawIndicator): { indicator: Indicator; warnings: HuntpackIssue[] } {
  const result = normalizeIndicator(raw);
  if ('issue' in result)
    assert.fail(`expected ${raw.value} to be accepted: ${result.issue.message}`);
  return result;
}

/** Normalizes a record and returns its canonical value, failing when it is rejected. */
export function canonical(type: string, value: string): string {
  return accept(rawIndicator(type, value)).indicator.value;
}

/** Normalizes a record that must be rejected, and returns the issue. */
export function reject(raw: RawIndicator): HuntpackIssue {
  const result = normalizeIndicator(raw);
  if (!('issue' in result)) {
    assert.fail(`expected ${raw.value} to be rejected, got ${result.indicator.value}`);
  }
  return result.issue;
}

/** Returns the code of the issue that rejects `value` declared as `type`. */
export function rejectionCode(type: string, value: string): string {
  return reject(rawIndicator(type, value)).code;
}
