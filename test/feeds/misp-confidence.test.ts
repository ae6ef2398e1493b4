import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { readMisp } from '../../src/feeds/misp.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';
import { runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function tag(name: string): { name: string } {
  return { name };
}

function attribute(value: string, tags: string[] = []): Record<string, unknown> {
  return {
    type: 'domain',
    category: 'Network activity',
    to_ids: true,
    uuid: `uuid-${value}`,
    value,
    Tag: tags.map(tag),
  };
}

/** Builds an event tagged `usually-confident` whose attributes carry their own confidence tags. */
function taggedEvent(): Record<string, unknown> {
  return {
    Event: {
      uuid: 'event-1',
      info: 'confidence tags',
      threat_level_id: '1',
      Tag: [tag('misp:confidence-level="usually-confident"')],
      Attribute: [
        attribute('event-level.example'),
        attribute('own-high.example', [
          'estimative-language:confidence-in-analytic-judgment="high"',
        ]),
        attribute('own-low.example', ['admiralty-scale:information-credibility="5"']),
        attribute('two-tags.example', [
          'admiralty-scale:information-credibility="1"',
          'misp:confidence-level="rarely-confident"',
        ]),
        attribute('unknown-value.example', ['misp:confidence-level="sure"']),
        attribute('source-only.example', ['admiralty-scale:source-reliability="a"']),
      ],
      Object: [
        {
          name: 'domain-ip',
          Tag: [tag('estimative-language:confidence-in-analytic-judgment="moderate"')],
          Attribute: [attribute('object-level.example')],
        },
      ],
    },
  };
}

function confidenceOf(output: FeedReaderOutput, value: string): number | undefined {
  const record = output.records.find((candidate) => candidate.value === value);
  assert.ok(record, `no record for ${value}`);
  return record.context.confidence;
}

function assertReconciles(output: FeedReaderOutput): void {
  const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(output.records.length + output.rejected + dropped, output.itemsRead);
}

describe('MISP confidence tags', () => {
  const output = readMisp(JSON.stringify(taggedEvent()), 'event.json');

  it('takes the nearest level', () => {
    assert.equal(confidenceOf(output, 'event-level.example'), 75);
    assert.equal(confidenceOf(output, 'own-high.example'), 95);
    assert.equal(confidenceOf(output, 'own-low.example'), 0);
    assert.equal(confidenceOf(output, 'object-level.example'), 55);
  });

  it('takes the lowest of one level', () => {
    assert.equal(confidenceOf(output, 'two-tags.example'), 25);
  });

  it('ignores tags of other predicates', () => {
    assert.equal(confidenceOf(output, 'source-only.example'), 75);
  });

  it('reports an unknown value once', () => {
    assert.equal(confidenceOf(output, 'unknown-value.example'), 75);
    const issues = output.issues.filter((issue) => issue.code === 'MISP_UNKNOWN_CONFIDENCE');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]!.severity, 'warning');
    assert.match(issues[0]!.message, /misp:confidence-level .* value "sure"/);
    assert.match(issues[0]!.message, /completely-confident/);
  });

  it('keeps the counts', () => {
    assert.equal(output.itemsRead, 7);
    assert.equal(output.records.length, 7);
    assertReconciles(output);
  });

  it('leaves untagged events without one', () => {
    const event = {
      Event: { uuid: 'e', threat_level_id: '1', Attribute: [attribute('a.example')] },
    };
    const untagged = readMisp(JSON.stringify(event), 'untagged.json');
    assert.equal(confidenceOf(untagged, 'a.example'), undefined);
  });
});

test('build --min-confidence filters MISP by tags', async (t) => {
  const folder = makeTempDir('misp-confidence', t);
  const feed = join(folder, 'event.json');
  await writeFile(feed, JSON.stringify(taggedEvent()));
  const out = join(folder, 'out');
  const result = await runCli([
    'build',
    feed,
    '--min-confidence',
    '70',
    '--no-builtin-allowlists',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout) as {
    counts: { rowsRead: number; accepted: number; rejected: number; merged: number; kept: number };
    packs: Array<{ folder: string }>;
  };
  const { counts } = summary;
  assert.equal(counts.rowsRead, counts.accepted + counts.rejected + counts.merged);
  // Kept: event-level, own-high, unknown-value and source-only (75 or 95).
  assert.equal(counts.kept, 4);
  const packFolder = summary.packs[0]!.folder;
  const report = await readFile(join(packFolder, 'report.md'), 'utf8');
  assert.match(report, /\| Confidence of MISP indicators \| The numerical value/);
});
