/**
 * STIX patterns whose OR, AND or qualifier chains have tens of thousands of terms. The parser
 * groups operators left, so such a chain is a tree as deep as it is long, and every walk over it
 * must finish without overflowing the call stack.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { FeedReaderOutput } from '../../../src/feeds/reader-output.js';
import { extractPatternIndicators } from '../../../src/feeds/stix/pattern-indicators.js';
import { parsePattern } from '../../../src/feeds/stix/pattern-parser.js';
import { printPattern } from '../../../src/feeds/stix/pattern-print.js';
import { readStix } from '../../../src/feeds/stix/read-stix.js';
import { runCli } from '../../helpers/cli.js';
import { repoFile } from '../../helpers/shared.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Twice the 10,000 terms at which a recursive walk overflowed Node 20's default call stack. */
const TERMS = 20_000;

function sha256(number: number): string {
  return createHash('sha256').update(`sample-${number}`).digest('hex');
}

function md5(number: number): string {
  return createHash('md5').update(`sample-${number}`).digest('hex');
}

function numbers(count: number): number[] {
  return Array.from({ length: count }, (_, number) => number);
}

function ipv4(number: number): string {
  return `198.51.${Math.floor(number / 256) % 256}.${number % 256}`;
}

/** Returns a bundle with one indicator that has `pattern`. */
function bundle(pattern: string): string {
  const indicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: 'indicator--00000000-0000-4000-8000-000000000001',
    created: '2026-04-10T00:00:00Z',
    modified: '2026-04-10T00:00:00Z',
    pattern,
    pattern_type: 'stix',
    valid_from: '2026-04-10T00:00:00Z',
  };
  return JSON.stringify({ type: 'bundle', id: 'bundle--1', objects: [indicator] });
}

function read(pattern: string): FeedReaderOutput {
  return readStix(bundle(pattern), 'long.json');
}

function hashOrPattern(count: number): string {
  const terms = numbers(count).map((number) => `file:hashes.'SHA-256' = '${sha256(number)}'`);
  return `[${terms.join(' OR ')}]`;
}

describe('STIX long pattern chains', () => {
  it('reads a 20,000-term OR of hashes', () => {
    const output = read(hashOrPattern(TERMS));
    assert.equal(output.records.length, TERMS);
    assert.equal(output.itemsRead, TERMS);
    assert.equal(output.rejected, 0);
    assert.deepEqual(output.issues, []);
    assert.ok(output.records.every((record) => record.type === 'sha256'));
    assert.equal(output.records[0]?.value, sha256(0));
    assert.equal(output.records[TERMS - 1]?.value, sha256(TERMS - 1));
    assert.equal(new Set(output.records.map((record) => record.value)).size, TERMS);
  });

  it('reads a 20,000-observation OR', () => {
    const pattern = numbers(TERMS)
      .map((number) => `[ipv4-addr:value = '${ipv4(number)}']`)
      .join(' OR ');
    const output = read(pattern);
    assert.equal(output.records.length, TERMS);
    assert.equal(output.rejected, 0);
    assert.equal(output.records[TERMS - 1]?.value, ipv4(TERMS - 1));
  });

  it('rejects a 20,000-observation AND', () => {
    const pattern = numbers(TERMS)
      .map((number) => `[domain-name:value = 'and${number}.evil-test.top']`)
      .join(' AND ');
    const output = read(pattern);
    assert.equal(output.records.length, 0);
    assert.equal(output.rejected, 1);
    assert.equal(output.itemsRead, 1);
    assert.equal(output.issues.length, 1);
    assert.equal(output.issues[0]?.code, 'STIX_PATTERN_UNSUPPORTED');
    assert.match(output.issues[0]?.message ?? '', /AND between observations/);
    assert.equal(output.issues[0]?.source?.id, 'indicator--00000000-0000-4000-8000-000000000001');
  });

  it('rejects a 20,000-comparison AND', () => {
    const terms = numbers(TERMS).map(
      (number) => `domain-name:value = 'and${number}.evil-test.top'`,
    );
    const output = read(`[${terms.join(' AND ')}]`);
    assert.equal(output.records.length, 0);
    assert.equal(output.rejected, 1);
    assert.match(output.issues[0]?.message ?? '', /AND between comparisons on domain-name/);
  });

  it('reads OR of AND pairs in one observation', () => {
    const terms = numbers(TERMS).map(
      (number) => `file:hashes.MD5 = '${md5(number)}' AND file:name = 'sample${number}.exe'`,
    );
    const output = read(`[${terms.join(' OR ')}]`);
    assert.equal(output.records.length, TERMS);
    assert.equal(output.rejected, 0);
    assert.equal(output.records[TERMS - 1]?.value, md5(TERMS - 1));
    assert.equal(output.issues.length, 1);
    assert.equal(output.issues[0]?.code, 'STIX_PATTERN_TERMS_IGNORED');
  });

  it('counts unusable branches of a mixed chain', () => {
    const observations = numbers(TERMS / 2).map(
      (number) =>
        `[file:hashes.'SHA-256' = '${sha256(number)}' OR process:name = 'p${number}.exe']`,
    );
    const output = read(observations.join(' OR '));
    assert.equal(output.records.length, TERMS / 2);
    assert.equal(output.rejected, TERMS / 2);
    assert.equal(output.itemsRead, TERMS);
    assert.equal(output.issues.length, 1);
    const message = output.issues[0]?.message ?? '';
    assert.equal(output.issues[0]?.code, 'STIX_PATTERN_BRANCH_SKIPPED');
    assert.match(message, /these 10000 branches are left out/);
    assert.match(message, /and 9990 more branches\.$/);
    assert.ok(message.length < 5_000, `message is ${message.length} characters long`);
  });

  it('names few unhuntable branches', () => {
    const terms = numbers(TERMS).map((number) => `process:name = 'p${number}.exe'`);
    const output = read(`[${terms.join(' OR ')}]`);
    assert.equal(output.records.length, 0);
    assert.equal(output.rejected, 1);
    const message = output.issues[0]?.message ?? '';
    assert.match(message, /no OR branch can be hunted/);
    assert.match(message, /19990 more branches/);
    assert.ok(message.length < 5_000, `message is ${message.length} characters long`);
  });

  it('unwraps 20,000 WITHIN qualifiers', () => {
    const pattern = `[ipv4-addr:value = '198.51.100.7']${' WITHIN 5 SECONDS'.repeat(TERMS)}`;
    const output = read(pattern);
    assert.deepEqual(
      output.records.map((record) => record.value),
      ['198.51.100.7'],
    );
  });

  it('prints 20,000 REPEATS qualifiers', () => {
    const pattern = `[ipv4-addr:value = '198.51.100.7']${' REPEATS 2 TIMES'.repeat(TERMS)}`;
    assert.equal(printPattern(parsePattern(pattern)), pattern);
    const result = extractPatternIndicators(parsePattern(pattern));
    assert.equal(result.usable, false);
  });

  it('prints long chains back unchanged', () => {
    const cases = [
      hashOrPattern(TERMS),
      numbers(TERMS)
        .map((number) => `[ipv4-addr:value = '${ipv4(number)}']`)
        .join(' AND '),
      numbers(TERMS)
        .map((number) => `[ipv4-addr:value = '${ipv4(number)}']`)
        .join(' FOLLOWEDBY '),
      `[${numbers(TERMS)
        .map((number) => `file:hashes.MD5 = '${md5(number)}' AND file:size = ${number}`)
        .join(' OR ')}]`,
    ];
    for (const pattern of cases) {
      assert.equal(printPattern(parsePattern(pattern)), pattern, pattern.slice(0, 80));
    }
  });

  it('keeps parentheses on right-nested chains', () => {
    const pattern = '[a:x = 1] OR ([a:x = 2] OR [a:x = 3]) OR [a:x = 4]';
    assert.equal(printPattern(parsePattern(pattern)), pattern);
    const comparison = '[a:x = 1 AND (a:x = 2 AND a:x = 3) AND a:x = 4]';
    assert.equal(printPattern(parsePattern(comparison)), comparison);
  });

  it('builds a long OR beside another feed', async (t) => {
    const folder = makeTempDir('stix-long-or', t);
    const feed = join(folder, 'hashes.json');
    await writeFile(feed, bundle(hashOrPattern(TERMS)));
    const threatfox = repoFile('data/threatfox/fabi2708_csv-recent_2026-04-12.csv');
    const out = join(folder, 'out');
    const result = await runCli(['build', feed, threatfox, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /internal error/);
    assert.match(
      result.stdout + result.stderr,
      /read .*hashes\.json \(stix\): 20000 rows, 0 rejected/,
    );
    assert.match(result.stdout, /remcos/i);
  });
});
