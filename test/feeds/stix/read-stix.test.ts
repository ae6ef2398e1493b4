import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FeedParseError } from '../../../src/errors.js';
import type { FeedReaderOutput } from '../../../src/feeds/reader-output.js';
import { readStix, type StixReaderOptions } from '../../../src/feeds/stix/read-stix.js';
import { repoFile, sharedFile, skipWithoutShared } from '../../helpers/shared.js';

function readFixture(name: string, options?: StixReaderOptions): FeedReaderOutput {
  return readStix(readFileSync(repoFile(`test/fixtures/stix/${name}`), 'utf8'), name, options);
}

function readShared(name: string): FeedReaderOutput {
  return readStix(readFileSync(sharedFile(`stix/${name}`), 'utf8'), name);
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Checks the counts and that they reconcile: read = records + rejected + dropped. */
function assertCounts(
  output: FeedReaderOutput,
  expected: { read: number; records: number; rejected: number; dropped?: Record<string, number> },
): void {
  assert.equal(output.itemsRead, expected.read, 'itemsRead');
  assert.equal(output.records.length, expected.records, 'records');
  assert.equal(output.rejected, expected.rejected, 'rejected');
  assert.deepEqual(output.dropped, expected.dropped ?? {}, 'dropped');
  const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(output.records.length + output.rejected + dropped, output.itemsRead, 'reconcile');
}

describe('readStix', () => {
  it('reads hand-made refusals with exact counts', () => {
    const output = readFixture('refusals_HANDMADE_stix21.json');
    // half-usable-or hunts its address and skips its file:name alternative, so it reads as 2.
    assertCounts(output, {
      read: 23,
      records: 10,
      rejected: 11,
      dropped: { revoked: 1, 'not-to-ids': 1 },
    });
    assert.deepEqual(
      countBy(output.issues, (issue) => issue.code),
      {
        STIX_PATTERN_UNSUPPORTED: 10,
        STIX_PATTERN_BRANCH_SKIPPED: 1,
        STIX_INDICATOR_REVOKED: 1,
        STIX_NOT_TO_IDS: 1,
      },
    );
    const placeholder = output.issues.find((issue) => issue.source?.id?.endsWith('000000000010'));
    assert.equal(placeholder?.code, 'STIX_PATTERN_UNSUPPORTED');
    assert.match(placeholder?.message ?? '', /unconverted_term:mandiant:observable-1234 is a/);
    const followedBy = output.issues.find((issue) => issue.source?.id?.endsWith('000000000001'));
    assert.match(followedBy?.message ?? '', /FOLLOWEDBY/);
  });

  it('keeps family, dates and confidence', () => {
    const output = readFixture('refusals_HANDMADE_stix21.json');
    const record = output.records.find((item) => item.value === '192.0.2.10');
    assert.equal(record?.context.family?.name, 'Remcos');
    assert.deepEqual(record?.context.family?.aliases, ['RemcosRAT']);
    assert.equal(record?.context.confidence, 85);
    assert.equal(record?.context.isCompromised, true);
    assert.equal(record?.context.threatType, 'malicious-activity');
    assert.equal(record?.context.expires?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(record?.context.firstSeen?.toISOString(), '2024-01-01T00:00:00.000Z');
    assert.deepEqual(record?.context.reporters, ['huntpack tests']);
    assert.ok(record?.context.tags?.includes('malware:Remcos loader'));
    const port = output.records.find((item) => item.type === 'ip-port');
    assert.equal(port?.port, 8443);
  });

  it('keeps to_ids false indicators with allAttributes', () => {
    const output = readFixture('refusals_HANDMADE_stix21.json', { allAttributes: true });
    assertCounts(output, { read: 23, records: 11, rejected: 11, dropped: { revoked: 1 } });
  });

  it('reads the Poison Ivy report', () => {
    const output = readFixture('oasis-schemas_poisonivy_stix21.json');
    assertCounts(output, { read: 67, records: 65, rejected: 2 });
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { ip: 40, domain: 25 },
    );
  });

  it('hunts the APT1 hashes beside unconverted terms', () => {
    const output = readFixture('oasis-elevator_apt1-appendix-g-iocs_stix21.json');
    // 1020 MD5s of one indicator, 774 OR-ed with placeholders in 45 others, 2 in one more.
    // The 220 OR alternatives left out count as rejected items.
    assertCounts(output, { read: 2016, records: 1796, rejected: 220 });
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { md5: 1796 },
    );
    const distinct = new Set(output.records.map((record) => record.value));
    assert.equal(distinct.size, 1054);
    assert.deepEqual(
      countBy(output.issues, (issue) => issue.code),
      { STIX_PATTERN_BRANCH_SKIPPED: 46 },
    );
    const skipped = output.issues.find((issue) => issue.source?.id?.includes('10df11ab'));
    assert.equal(skipped?.source?.id, 'indicator--10df11ab-c69e-4f7a-b44b-52b4d3824007');
    assert.equal(skipped?.severity, 'warning');
    assert.ok(
      skipped?.message.includes(
        '"[unconverted_term:mandiant:observable-53877678-f17e-4da1-9336-698063493cc6]" because unconverted_term:mandiant:observable-53877678-f17e-4da1-9336-698063493cc6 is a placeholder',
      ),
      skipped?.message,
    );
  });

  it('rejects undelimited or AND-ed placeholders', () => {
    const indicator = (id: string, pattern: string) => ({ type: 'indicator', id, pattern });
    const text = JSON.stringify([
      indicator('indicator--a', "[file:hashes.MD5 = 'a' OR unconverted_term:x y]"),
      indicator('indicator--b', "[file:hashes.MD5 = 'b'] OR unconverted_term:x"),
      indicator('indicator--c', "[file:hashes.MD5 = 'c' AND unconverted_term:x]"),
    ]);
    const output = readStix(text, 'placeholders.json');
    assertCounts(output, { read: 3, records: 0, rejected: 3 });
    assert.deepEqual(
      output.issues.map((issue) => `${issue.source?.id} ${issue.code}`),
      [
        'indicator--a STIX_PATTERN_SYNTAX',
        'indicator--b STIX_PATTERN_SYNTAX',
        'indicator--c STIX_PATTERN_UNSUPPORTED',
      ],
    );
    assert.match(output.issues[0]?.message ?? '', /contains unconverted_term/);
    assert.match(output.issues[2]?.message ?? '', /unconverted_term:x is AND-ed/);
  });

  it('reads the small OASIS idioms', () => {
    assertCounts(readFixture('oasis-elevator_url-in-list_stix21.json'), {
      read: 3,
      records: 3,
      rejected: 0,
    });
    const quoted = readFixture('oasis-elevator_url-or-escaped-quote_stix21.json');
    assertCounts(quoted, { read: 3, records: 3, rejected: 0 });
    assert.equal(quoted.records[1]?.value, "'http://example.com/foo/malicious2.html");
    assertCounts(readFixture('oasis-elevator_composite-and-or_stix21.json'), {
      read: 6,
      records: 4,
      rejected: 2,
    });
    assertCounts(readFixture('oasis-elevator_network-traffic-matches_stix21.json'), {
      read: 1,
      records: 0,
      rejected: 1,
    });
    assertCounts(readFixture('oasis-schemas_malicious-email-indicator-matches_stix21.json'), {
      read: 2,
      records: 0,
      rejected: 2,
    });
    const c2 = readFixture('oasis-schemas_indicators-for-c2-with-coa_stix21.json');
    assertCounts(c2, { read: 2, records: 2, rejected: 0 });
    assert.equal(c2.records[0]?.context.family?.name, 'Poison Ivy');
  });

  it('hunts the usable OR branch only', () => {
    const output = readFixture('oasis-elevator_composite-and-or_stix21.json');
    const byId = (suffix: string) =>
      output.records.filter((record) => record.source.id?.endsWith(suffix));
    const composite = byId('b2c4e7acedc7');
    assert.deepEqual(
      composite.map((record) => `${record.type} ${record.value}`),
      ['md5 026871ea3d6cbbeb90fea6bf2906cc12'],
    );
    assert.deepEqual(byId('55cdd1d928c7'), []);
    const skipped = output.issues.filter((issue) => issue.code === 'STIX_PATTERN_BRANCH_SKIPPED');
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]?.severity, 'warning');
    assert.match(skipped[0]?.source?.id ?? '', /b2c4e7acedc7$/);
    assert.match(skipped[0]?.message ?? '', /219\.90\.112\.203.*AND between observations/);
    const andOnly = output.issues.find((issue) => issue.source?.id?.endsWith('55cdd1d928c7'));
    assert.equal(andOnly?.code, 'STIX_PATTERN_UNSUPPORTED');
  });

  it('reads MISP-converted file hashes', () => {
    const output = readFixture('misp-stix_test-objects-collection_HANDMADE_stix21.json');
    assertCounts(output, { read: 5, records: 3, rejected: 2 });
    assert.ok(output.issues.some((issue) => issue.code === 'STIX_PATTERN_TERMS_IGNORED'));
  });

  it('reads the Boggy Serpens STIX 2.0 playbook', () => {
    const output = readFixture('unit42-playbook_boggyserpens_stix20.json');
    assertCounts(output, { read: 125, records: 120, rejected: 5 });
    // 43 url:value strings are bare host names, read as domains with a warning each.
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { sha256: 57, url: 16, domain: 43, ip: 4 },
    );
    const bareHosts = output.issues.filter((issue) => issue.code === 'STIX_URL_BARE_HOST');
    assert.equal(bareHosts.length, 43);
  });

  it(
    'reads the Evasive Serpens playbook',
    { skip: skipWithoutShared('stix/unit42-playbook_evasive-serpens_stix20.json') },
    () => {
      const output = readShared('unit42-playbook_evasive-serpens_stix20.json');
      assertCounts(output, { read: 157, records: 93, rejected: 64 });
    },
  );

  it(
    'reads Talos C2 given as the source',
    { skip: skipWithoutShared('stix/talos_2024-05-carnavalhiest_stix20.json') },
    () => {
      const output = readShared('talos_2024-05-carnavalhiest_stix20.json');
      assertCounts(output, { read: 63, records: 63, rejected: 0 });
      const sources = output.records.filter((record) =>
        record.context.tags?.includes('side:source'),
      );
      assert.equal(sources.length, 8);
      assert.ok(sources.every((record) => record.type === 'ip'));
      assert.equal(output.records[0]?.context.threatType, 'payload_delivery');
    },
  );

  it(
    'reads Talos ports given as strings',
    { skip: skipWithoutShared('stix/talos_2024-01-new-zardoor-backdoor_stix20.json') },
    () => {
      const output = readShared('talos_2024-01-new-zardoor-backdoor_stix20.json');
      assertCounts(output, { read: 36, records: 33, rejected: 3 });
      const ports = output.records.filter((record) => record.type === 'ip-port');
      assert.equal(ports.length, 10);
      assert.equal(ports[0]?.port, 10086);
    },
  );

  it(
    'rejects STIX 1.x with a clear error',
    { skip: skipWithoutShared('stix/talos_2024-04-offlrouter_stix1-json-NOT-STIX2.json') },
    () => {
      assert.throws(
        () => readShared('talos_2024-04-offlrouter_stix1-json-NOT-STIX2.json'),
        (error: unknown) =>
          error instanceof FeedParseError &&
          error.code === 'STIX1_NOT_SUPPORTED' &&
          /STIX 1\.x is not supported/.test(error.message),
      );
    },
  );

  it('rejects invalid JSON and non-STIX JSON', () => {
    assert.throws(
      () => readStix('{"type": "bundle",', 'x.json'),
      (error: unknown) => error instanceof FeedParseError && error.code === 'INVALID_JSON',
    );
    assert.throws(
      () => readStix('{"hello": 1}', 'x.json'),
      (error: unknown) => error instanceof FeedParseError && error.code === 'NOT_STIX',
    );
  });

  it('reads a single indicator object', () => {
    const text = JSON.stringify({
      type: 'indicator',
      id: 'indicator--1',
      pattern: "[ipv4-addr:value = '192.0.2.1']",
      valid_from: 'not a date',
    });
    const output = readStix(text, 'one.json');
    assertCounts(output, { read: 1, records: 1, rejected: 0 });
    assert.equal(output.issues[0]?.code, 'STIX_INVALID_TIMESTAMP');
  });

  it('names indicators past their valid_until', () => {
    const indicator = (id: string, pattern: string, validUntil: string) => ({
      type: 'indicator',
      id,
      pattern,
      valid_from: '2019-01-01T00:00:00Z',
      valid_until: validUntil,
    });
    const text = JSON.stringify({
      type: 'bundle',
      objects: [
        indicator('indicator--a', "[ipv4-addr:value = '45.67.91.8']", '2020-01-01T00:00:00Z'),
        indicator(
          'indicator--b',
          "[ipv4-addr:value = '45.67.91.9'] OR [domain-name:value = 'old.example']",
          '2026-06-01T00:00:00Z',
        ),
        indicator('indicator--c', "[ipv4-addr:value = '45.67.91.10']", '2027-01-01T00:00:00Z'),
      ],
    });
    const output = readStix(text, 'expiry.json', { now: new Date('2026-12-05T00:00:00Z') });
    // Expired indicators are still read, with their expiry, for the build's filter and --state.
    assertCounts(output, { read: 4, records: 4, rejected: 0 });
    assert.equal(output.records[0]?.context.expires?.toISOString(), '2020-01-01T00:00:00.000Z');
    const expired = output.issues.filter((issue) => issue.code === 'STIX_INDICATOR_EXPIRED');
    assert.deepEqual(
      expired.map((issue) => issue.source?.id),
      ['indicator--a', 'indicator--b'],
    );
    assert.match(
      expired[1]?.message ?? '',
      /2 values "45\.67\.91\.9, old\.example" are not hunted/,
    );
  });
});
