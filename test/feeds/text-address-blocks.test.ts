import assert from 'node:assert/strict';
import test from 'node:test';
import { readText } from '../../src/feeds/text.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';

function values(output: FeedReaderOutput): string[] {
  return output.records.map((record) => `${record.type} ${record.value}`);
}

function codes(output: FeedReaderOutput): string[] {
  return output.issues.map((issue) => issue.code);
}

test('IPv6 block is left out', () => {
  for (const text of ['2a0e:1c80:1::/48', '2a0e[:]1c80[:]1[:][:]/48', '[2a0e:1c80:1::]/48']) {
    const output = readText(`Infra:\n- ${text} (hosting)\n`, 'paste.txt', {});
    assert.deepEqual(values(output), [], text);
    assert.deepEqual(output.dropped, { 'cidr-range': 1 }, text);
    assert.deepEqual(codes(output), ['CIDR_RANGE', 'TEXT_CANDIDATES_DROPPED'], text);
    assert.equal(output.issues[0]?.source?.line, 2, text);
    assert.match(output.issues[0]?.message ?? '', /address block "2a0e:1c80:1::\/48"/, text);
  }
});

test('IPv6 /128 block is one address', () => {
  const output = readText('C2 2a0e:1c80:2::1/128 seen\n', 'paste.txt', {});
  assert.deepEqual(values(output), ['ip 2a0e:1c80:2::1']);
  assert.deepEqual(output.issues, []);
});
