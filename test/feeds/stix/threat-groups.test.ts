/**
 * STIX indicators that indicate a campaign, an intrusion set or a threat actor: the reader keeps
 * the group's name, and the build names a pack after it when no malware is linked.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RawIndicator } from '../../../src/indicators/model.js';
import { readStix } from '../../../src/feeds/stix/read-stix.js';
import { runCli } from '../../helpers/cli.js';
import { repoFile } from '../../helpers/shared.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

const CREATED = '2026-04-10T00:00:00Z';

function sdo(type: string, id: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { type, spec_version: '2.1', id, created: CREATED, modified: CREATED, ...fields };
}

function indicator(id: string, pattern: string): Record<string, unknown> {
  return sdo('indicator', id, { pattern, pattern_type: 'stix', valid_from: CREATED });
}

function relationship(
  id: string,
  type: string,
  source: string,
  target: string,
): Record<string, unknown> {
  return sdo('relationship', id, {
    relationship_type: type,
    source_ref: source,
    target_ref: target,
  });
}

const INTRUSION_SET = 'intrusion-set--00000000-0000-4000-8000-000000000001';
const CAMPAIGN = 'campaign--00000000-0000-4000-8000-000000000002';
const LONE_CAMPAIGN = 'campaign--00000000-0000-4000-8000-000000000003';
const ACTOR = 'threat-actor--00000000-0000-4000-8000-000000000004';
const MALWARE = 'malware--00000000-0000-4000-8000-000000000005';
const indicatorId = (n: number) => `indicator--00000000-0000-4000-8000-00000000010${n}`;
const relationshipId = (n: number) => `relationship--00000000-0000-4000-8000-00000000020${n}`;

/**
 * A bundle with one indicator for each way of naming a group: through a campaign attributed to
 * an intrusion set, beside a malware, through a campaign of no known actor, to a threat actor
 * directly, and to nothing.
 */
const BUNDLE = JSON.stringify({
  type: 'bundle',
  id: 'bundle--00000000-0000-4000-8000-000000000000',
  objects: [
    sdo('intrusion-set', INTRUSION_SET, { name: 'Copper Heron', aliases: ['CH-1'] }),
    sdo('campaign', CAMPAIGN, { name: 'Night Market' }),
    sdo('campaign', LONE_CAMPAIGN, { name: 'Lone Campaign' }),
    sdo('threat-actor', ACTOR, { name: 'Solo Actor' }),
    sdo('malware', MALWARE, { name: 'FooRAT', is_family: true }),
    indicator(indicatorId(1), "[ipv4-addr:value = '45.61.136.11']"),
    indicator(indicatorId(2), "[domain-name:value = 'night-market-c2.com']"),
    indicator(indicatorId(3), "[ipv4-addr:value = '45.61.136.13']"),
    indicator(indicatorId(4), "[ipv4-addr:value = '45.61.136.14']"),
    indicator(indicatorId(5), "[ipv4-addr:value = '45.61.136.15']"),
    relationship(relationshipId(0), 'attributed-to', CAMPAIGN, INTRUSION_SET),
    relationship(relationshipId(1), 'indicates', indicatorId(1), CAMPAIGN),
    relationship(relationshipId(2), 'indicates', indicatorId(2), CAMPAIGN),
    relationship(relationshipId(3), 'indicates', indicatorId(2), MALWARE),
    relationship(relationshipId(4), 'indicates', indicatorId(3), LONE_CAMPAIGN),
    relationship(relationshipId(5), 'indicates', indicatorId(4), ACTOR),
  ],
});

function recordOf(records: RawIndicator[], value: string): RawIndicator {
  const record = records.find((item) => item.value === value);
  assert.ok(record, `no record for ${value}`);
  return record;
}

describe('STIX threat groups', () => {
  it('names the family after the group', () => {
    const { records } = readStix(BUNDLE, 'groups.json');
    const viaCampaign = recordOf(records, '45.61.136.11');
    assert.deepEqual(viaCampaign.context.family, {
      name: 'Copper Heron',
      aliases: ['CH-1'],
      kind: 'intrusion-set',
    });
    assert.ok(viaCampaign.context.tags?.includes('intrusion-set:Copper Heron'));
    assert.ok(viaCampaign.context.tags?.includes('campaign:Night Market'));

    const lone = recordOf(records, '45.61.136.13');
    assert.deepEqual(lone.context.family, {
      name: 'Lone Campaign',
      aliases: [],
      kind: 'campaign',
    });
    const actor = recordOf(records, '45.61.136.14');
    assert.deepEqual(actor.context.family, {
      name: 'Solo Actor',
      aliases: [],
      kind: 'threat-actor',
    });
    assert.equal(recordOf(records, '45.61.136.15').context.family, undefined);
  });

  it('keeps malware as family', () => {
    const { records } = readStix(BUNDLE, 'groups.json');
    const both = recordOf(records, 'night-market-c2.com');
    assert.deepEqual(both.context.family, { name: 'FooRAT', aliases: [] });
    assert.ok(both.context.tags?.includes('intrusion-set:Copper Heron'));
    assert.ok(both.context.tags?.includes('campaign:Night Market'));
  });

  it('reads Boggy Serpens campaigns', () => {
    const name = 'unit42-playbook_boggyserpens_stix20.json';
    const text = readFileSync(repoFile(`test/fixtures/stix/${name}`), 'utf8');
    const { records } = readStix(text, name);
    const families = new Map<string, number>();
    for (const record of records) {
      const family = record.context.family;
      const key = family ? `${family.kind ?? 'malware'} ${family.name}` : 'none';
      families.set(key, (families.get(key) ?? 0) + 1);
    }
    // Every indicator of the playbook indicates a campaign attributed to Boggy Serpens, or a
    // malware; none is left without a family.
    assert.equal(families.get('none'), undefined);
    assert.ok((families.get('intrusion-set Boggy Serpens') ?? 0) > 100);
    const tagged = records.filter((record) =>
      record.context.tags?.includes('intrusion-set:Boggy Serpens'),
    );
    assert.equal(tagged.length, records.length);
  });

  it('builds one pack per group', async (t) => {
    const folder = makeTempDir('stix-groups', t);
    const feed = join(folder, 'groups.json');
    await writeFile(feed, BUNDLE);
    const out = join(folder, 'packs');
    const result = await runCli(['build', feed, '--out', out]);
    assert.equal(result.code, 0, result.stderr);

    const pack = JSON.parse(readFileSync(join(out, 'copper-heron', 'pack.json'), 'utf8')) as {
      family: unknown;
    };
    assert.deepEqual(pack.family, {
      name: 'Copper Heron',
      aliases: ['CH-1'],
      kind: 'intrusion-set',
    });
    const report = readFileSync(join(out, 'copper-heron', 'report.md'), 'utf8');
    assert.match(report, /\| Intrusion set \| Copper Heron \|/);
    assert.doesNotMatch(report, /Malware family/);
    assert.match(report, /tie to this intrusion set/);
    assert.match(report, /\| Campaigns \| Night Market \|/);
    assert.doesNotMatch(report, /\| Intrusion sets \|/);
    const csv = readFileSync(join(out, 'copper-heron', 'indicators.csv'), 'utf8');
    assert.match(csv, /intrusion-set:Copper Heron/);

    const campaignReport = readFileSync(join(out, 'lone-campaign', 'report.md'), 'utf8');
    assert.match(campaignReport, /\| Campaign \| Lone Campaign \|/);
    const actorReport = readFileSync(join(out, 'solo-actor', 'report.md'), 'utf8');
    assert.match(actorReport, /\| Threat actor \| Solo Actor \|/);

    const malwareReport = readFileSync(join(out, 'foorat', 'report.md'), 'utf8');
    assert.match(malwareReport, /\| Malware family \| FooRAT \|/);
    assert.match(malwareReport, /\| Intrusion sets \| Copper Heron \|/);
    const malwareCsv = readFileSync(join(out, 'foorat', 'indicators.csv'), 'utf8');
    assert.match(malwareCsv, /intrusion-set:Copper Heron/);
  });
});

const CHAIN_CAMPAIGN = 'campaign--00000000-0000-4000-8000-000000000011';
const CHAIN_SET = 'intrusion-set--00000000-0000-4000-8000-000000000012';
const CHAIN_ACTOR = 'threat-actor--00000000-0000-4000-8000-000000000013';
const OTHER_CAMPAIGN = 'campaign--00000000-0000-4000-8000-000000000014';
const REPORT_SET = 'intrusion-set--00000000-0000-4000-8000-000000000015';
const REPORT = 'report--00000000-0000-4000-8000-000000000016';

/**
 * A bundle of attribution chains. A campaign is attributed to an intrusion set, which is
 * attributed to a threat actor, and the intrusion set is also indicated directly. A campaign
 * attributed to another campaign and a report attributed to an intrusion set are links that
 * STIX 2.1 does not define.
 */
const CHAIN_BUNDLE = JSON.stringify({
  type: 'bundle',
  id: 'bundle--00000000-0000-4000-8000-000000000010',
  objects: [
    sdo('campaign', CHAIN_CAMPAIGN, { name: 'Tide Campaign' }),
    sdo('intrusion-set', CHAIN_SET, { name: 'Grey Heron', aliases: ['GH-2'] }),
    sdo('threat-actor', CHAIN_ACTOR, { name: 'Heron Crew', aliases: ['Crew Nine'] }),
    sdo('campaign', OTHER_CAMPAIGN, { name: 'Other Campaign' }),
    sdo('intrusion-set', REPORT_SET, { name: 'Report Set' }),
    sdo('report', REPORT, {
      name: 'A report',
      published: CREATED,
      object_refs: [indicatorId(4)],
    }),
    indicator(indicatorId(1), "[ipv4-addr:value = '45.61.137.11']"),
    indicator(indicatorId(2), "[ipv4-addr:value = '45.61.137.12']"),
    indicator(indicatorId(3), "[ipv4-addr:value = '45.61.137.13']"),
    indicator(indicatorId(4), "[ipv4-addr:value = '45.61.137.14']"),
    relationship(relationshipId(0), 'attributed-to', CHAIN_CAMPAIGN, CHAIN_SET),
    relationship(relationshipId(1), 'attributed-to', CHAIN_SET, CHAIN_ACTOR),
    relationship(relationshipId(2), 'attributed-to', OTHER_CAMPAIGN, CHAIN_CAMPAIGN),
    relationship(relationshipId(3), 'attributed-to', REPORT, REPORT_SET),
    relationship(relationshipId(4), 'indicates', indicatorId(1), CHAIN_CAMPAIGN),
    relationship(relationshipId(5), 'indicates', indicatorId(2), CHAIN_SET),
    relationship(relationshipId(6), 'indicates', indicatorId(3), OTHER_CAMPAIGN),
  ],
});

describe('STIX attribution chains', () => {
  const { records, itemsRead, rejected, dropped } = readStix(CHAIN_BUNDLE, 'chains.json');

  it('follows a campaign to the actor', () => {
    const record = recordOf(records, '45.61.137.11');
    assert.deepEqual(record.context.family, {
      name: 'Grey Heron',
      aliases: ['GH-2'],
      kind: 'intrusion-set',
    });
    assert.ok(
      record.context.tags?.includes('campaign:Tide Campaign'),
      'tag campaign:Tide Campaign',
    );
    assert.ok(
      record.context.tags?.includes('threat-actor:Heron Crew'),
      'tag threat-actor:Heron Crew',
    );
  });

  it('follows an intrusion set to the actor', () => {
    const record = recordOf(records, '45.61.137.12');
    assert.equal(record.context.family?.name, 'Grey Heron');
    assert.ok(
      record.context.tags?.includes('threat-actor:Heron Crew'),
      'tag threat-actor:Heron Crew',
    );
  });

  it('skips links the spec does not define', () => {
    const campaign = recordOf(records, '45.61.137.13');
    assert.deepEqual(campaign.context.family, {
      name: 'Other Campaign',
      aliases: [],
      kind: 'campaign',
    });
    assert.ok(
      !campaign.context.tags?.includes('campaign:Tide Campaign'),
      'tag campaign:Tide Campaign',
    );
    const reported = recordOf(records, '45.61.137.14');
    assert.equal(reported.context.family, undefined);
  });

  it('keeps the counts', () => {
    const droppedCount = Object.values(dropped).reduce((sum, count) => sum + count, 0);
    assert.equal(itemsRead, 4);
    assert.equal(records.length + rejected + droppedCount, itemsRead);
  });

  it('selects groups by name and alias', async (t) => {
    const folder = makeTempDir('group-family', t);
    const feed = join(folder, 'chains.json');
    await writeFile(feed, CHAIN_BUNDLE);
    const build = async (family: string) => {
      const out = join(folder, `out-${family.replace(/\W/g, '_')}`);
      const result = await runCli([
        'build',
        feed,
        '--family',
        family,
        '--no-builtin-allowlists',
        '--out',
        out,
        '--json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      return {
        summary: JSON.parse(result.stdout) as {
          counts: {
            rowsRead: number;
            accepted: number;
            rejected: number;
            merged: number;
            kept: number;
          };
          packs: Array<{ family: string }>;
        },
        stderr: result.stderr,
      };
    };
    for (const name of ['Grey Heron', 'grey heron', 'gh-2']) {
      const { summary } = await build(name);
      assert.equal(summary.counts.kept, 2, name);
      assert.deepEqual(
        summary.packs.map((pack) => pack.family),
        ['Grey Heron'],
        name,
      );
      const { rowsRead, accepted, rejected, merged } = summary.counts;
      assert.equal(rowsRead, accepted + rejected + merged, name);
    }
    const partial = await build('Grey');
    assert.equal(partial.summary.counts.kept, 0);
    assert.match(partial.stderr, /the closest: Grey Heron/);
  });
});
