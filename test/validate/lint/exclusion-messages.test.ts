import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTableSchema } from '../../../src/pipeline/schemas.js';
import { lintExclusion, type ExclusionLint } from '../../../src/validate/lint/lint-exclusion.js';

function lint(text: string): ExclusionLint {
  return lintExclusion(text, {
    file: 'e.txt',
    line: 1,
    column: 1,
    scenario: '',
    schemas: [getTableSchema('DeviceNetworkEvents')],
  });
}

test('exclusion with !has offers !contains', () => {
  const result = lint('InitiatingProcessCommandLine !has "update"');
  assert.equal(result.findings.length, 1);
  const message = result.findings[0]?.message ?? '';
  assert.match(message, /"!has" after "InitiatingProcessCommandLine" is not supported/);
  assert.match(message, /Use "!contains"/);
});

test('exclusion with has offers contains', () => {
  const message = lint('InitiatingProcessCommandLine has_cs "update"').findings[0]?.message;
  assert.match(message ?? '', /"has_cs" after "InitiatingProcessCommandLine".*Use "contains"/);
});

test('exclusion keeps has inside a value', () => {
  const message = lint('InitiatingProcessFileName == "a has b" oops').findings[0]?.message;
  assert.doesNotMatch(message ?? '', /is not supported/);
});

test('exclusion written as a sentence', () => {
  const result = lint('Exclude traffic from the corporate proxy 10.0.0.5');
  assert.equal(result.findings.length, 1);
  assert.match(result.findings[0]?.message ?? '', /^The line is not a filter expression/);
  assert.doesNotMatch(result.findings[0]?.message ?? '', /Unknown operator/);
});

test('never-true exclusion has one verdict', () => {
  const result = lint('RemotePort == 443 and RemotePort == 80');
  const codes = result.findings.map((finding) => finding.code);
  assert.deepEqual(codes, ['EXCLUSION_REMOVES_EVERYTHING']);
  assert.deepEqual(
    result.corrections.map((correction) => correction.reason),
    [],
    'no correction restates the verdict',
  );
});
