import assert from 'node:assert/strict';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors.js';
import { indicatorKey, type Indicator } from '../../src/indicators/model.js';
import { collectIndicators } from '../../src/pipeline/collect.js';
import {
  compareWithHistory,
  describeRunCoverage,
  emptyHistory,
  groupByFamilyKey,
  keepNewIndicators,
  loadHistory,
  migrateFolderKeys,
  parseHistory,
  saveHistory,
  updateHistory,
  type FamilyHistoryDiff,
  type RunCoverage,
  type RunHistory,
} from '../../src/pipeline/history.js';
import { skipWithoutShared } from '../helpers/shared.js';
import {
  jsonResponse,
  SHARED_API_ANSWER,
  SHARED_API_ITEMS,
  sharedApiAnswer,
  sharedApiItems,
  startFakeThreatFox,
} from '../helpers/threatfox-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { ListProvenance } from '../../src/indicators/provenance.js';

const DAY = 24 * 60 * 60 * 1000;

function domain(name: string, family: string, dates: Partial<Indicator> = {}): Indicator {
  return {
    kind: 'domain',
    value: name,
    domain: name,
    family: { name: family, aliases: [] },
    tags: [],
    references: [],
    reporters: [],
    provenance: new ListProvenance([], []),
    ...dates,
  } as Indicator;
}

const folder = makeTempDir('history');

describe('loadHistory and saveHistory', () => {
  test('returns an empty history for a missing file', async () => {
    assert.deepEqual(await loadHistory(join(folder, 'missing.json')), emptyHistory());
  });

  test('reads a state file with a byte order mark', async () => {
    const file = join(folder, 'bom.json');
    const history = updateHistory(
      emptyHistory(),
      new Map([['win.remcos', [domain('a.example', 'Remcos')]]]),
      {
        now: new Date('2026-05-01T00:00:00Z'),
      },
    );
    await saveHistory(file, history);
    await writeFile(file, `\uFEFF${await readFile(file, 'utf8')}`);
    assert.deepEqual(await loadHistory(file), history);
  });

  test('keeps the permissions of the file it replaces', async () => {
    const file = join(folder, 'read-only.json');
    await saveHistory(file, emptyHistory());
    await chmod(file, 0o444);
    await saveHistory(file, { ...emptyHistory(), lastRun: '2026-05-01T00:00:00.000Z' });
    assert.equal((await stat(file)).mode & 0o777, 0o444);
    assert.equal((await loadHistory(file)).lastRun, '2026-05-01T00:00:00.000Z');
  });

  test('names the file it cannot write', async () => {
    const plain = join(folder, 'plain-file');
    await writeFile(plain, 'not a folder\n');
    const file = join(plain, 'state.json');
    await assert.rejects(saveHistory(file, emptyHistory()), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'STATE_NOT_WRITTEN');
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /the state still describes the run before this one/);
      return true;
    });
  });

  test('round-trips a saved history', async () => {
    const now = new Date('2026-05-01T06:00:00Z');
    const history = updateHistory(
      emptyHistory(),
      new Map([
        ['remcos', [domain('b.example', 'Remcos', { expires: new Date('2026-06-01T00:00:00Z') })]],
      ]),
      { now },
    );
    const file = join(folder, 'round.json');
    await saveHistory(file, history);
    assert.deepEqual(await loadHistory(file), history);
    assert.deepEqual(
      (await readdir(folder)).filter((name) => name.endsWith('.tmp')),
      [],
    );
  });

  test('sorts families and keys in the file', async () => {
    const history: RunHistory = {
      version: 2,
      lastRun: '2026-05-01T00:00:00.000Z',
      families: {
        zloader: {
          'domain|z.example': {
            firstRun: '2026-05-01T00:00:00.000Z',
            lastRun: '2026-05-01T00:00:00.000Z',
          },
        },
        agenttesla: {
          'url|http://b.example/': {
            firstRun: '2026-05-01T00:00:00.000Z',
            lastRun: '2026-05-01T00:00:00.000Z',
          },
          'domain|a.example': {
            firstRun: '2026-05-01T00:00:00.000Z',
            lastRun: '2026-05-01T00:00:00.000Z',
          },
        },
      },
    };
    const file = join(folder, 'sorted.json');
    await saveHistory(file, history);
    const text = await readFile(file, 'utf8');
    assert.ok(text.indexOf('agenttesla') < text.indexOf('zloader'));
    assert.ok(text.indexOf('domain|a.example') < text.indexOf('url|http://b.example/'));
  });

  const corrupt: Array<[string, string, string]> = [
    ['invalid JSON', '{"version": 1, "families": {', 'STATE_INVALID'],
    ['an array', '[]', 'STATE_INVALID'],
    ['a missing version', '{"families": {}}', 'STATE_INVALID'],
    [
      'a bad time',
      '{"version": 1, "families": {"x": {"domain|a": {"firstRun": "yesterday", "lastRun": "2026-01-01T00:00:00Z"}}}}',
      'STATE_INVALID',
    ],
    [
      'a missing lastRun',
      '{"version": 1, "families": {"x": {"domain|a": {"firstRun": "2026-01-01T00:00:00Z"}}}}',
      'STATE_INVALID',
    ],
    ['a newer version', '{"version": 3, "families": {}}', 'STATE_VERSION_UNSUPPORTED'],
  ];
  for (const [name, text, code] of corrupt) {
    test(`rejects ${name}`, async () => {
      const file = join(folder, `corrupt-${code}-${name.replace(/\W+/g, '-')}.json`);
      await writeFile(file, text, 'utf8');
      await assert.rejects(loadHistory(file), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, code);
        assert.ok(error.message.includes(file), error.message);
        return true;
      });
    });
  }

  test('empty file is no run yet', async () => {
    const files: Array<[string, string]> = [
      ['empty', ''],
      ['blank', ' \n'],
    ];
    for (const [name, text] of files) {
      const file = join(folder, `${name}.json`);
      await writeFile(file, text, 'utf8');
      assert.deepEqual(await loadHistory(file), emptyHistory(), name);
    }
  });

  test('rejects a folder as state file', async () => {
    await assert.rejects(
      loadHistory(folder),
      (error: unknown) => error instanceof ConfigError && error.code === 'STATE_UNREADABLE',
    );
  });
});

describe('compareWithHistory', () => {
  const day1 = new Date('2026-05-01T06:00:00Z');
  const day2 = new Date('2026-05-02T06:00:00Z');
  const first = new Map([
    [
      'remcos',
      [
        domain('kept.example', 'Remcos', { lastSeen: new Date('2026-04-30T00:00:00Z') }),
        domain('gone.example', 'Remcos', { lastSeen: new Date('2026-04-30T00:00:00Z') }),
        domain('stale.example', 'Remcos', { lastSeen: new Date('2026-02-01T00:00:00Z') }),
        domain('valid-until.example', 'Remcos', { expires: new Date('2026-05-01T12:00:00Z') }),
      ],
    ],
  ]);
  const history = updateHistory(emptyHistory(), first, { now: day1 });

  test('lists everything as new on the first run', () => {
    const diff = compareWithHistory(first, emptyHistory(), { now: day1 }).get('remcos')!;
    assert.equal(diff.new.length, 4);
    assert.deepEqual([diff.unchanged, diff.expired, diff.removed], [[], [], []]);
  });

  test('splits the second run four ways', () => {
    const second = new Map([
      [
        'remcos',
        [
          domain('kept.example', 'Remcos', { lastSeen: new Date('2026-05-01T00:00:00Z') }),
          domain('valid-until.example', 'Remcos', { expires: new Date('2026-05-01T12:00:00Z') }),
          domain('fresh.example', 'Remcos'),
        ],
      ],
    ]);
    const diff = compareWithHistory(second, history, { now: day2, maxAgeDays: 30 }).get('remcos')!;
    assert.deepEqual(diff.new, ['domain|fresh.example']);
    assert.deepEqual(diff.unchanged, ['domain|kept.example']);
    assert.deepEqual(diff.expired, ['domain|stale.example', 'domain|valid-until.example']);
    assert.deepEqual(diff.removed, ['domain|gone.example']);
  });

  test('keeps age out without maxAgeDays', () => {
    const diff = compareWithHistory(new Map(), history, { now: day2 }).get('remcos')!;
    assert.deepEqual(diff.removed, [
      'domain|gone.example',
      'domain|kept.example',
      'domain|stale.example',
    ]);
    assert.deepEqual(diff.expired, ['domain|valid-until.example']);
  });

  test('judges age by the later of first and last seen', () => {
    const inverted = domain('inverted.example', 'Remcos', {
      firstSeen: new Date('2026-04-30T00:00:00Z'),
      lastSeen: new Date('2026-02-01T00:00:00Z'),
    });
    const run = new Map([['remcos', [inverted]]]);
    const diff = compareWithHistory(run, emptyHistory(), { now: day2, maxAgeDays: 30 }).get(
      'remcos',
    )!;
    assert.deepEqual(diff.expired, []);
    assert.deepEqual(diff.new, ['domain|inverted.example']);
    const saved = updateHistory(emptyHistory(), run, { now: day2 });
    const entry = saved.families['remcos']!['domain|inverted.example']!;
    assert.equal(entry.lastSeen, '2026-04-30T00:00:00.000Z');
  });

  test('treats another family as new', () => {
    const moved = new Map([['agent-tesla', [domain('kept.example', 'Agent Tesla')]]]);
    const comparison = compareWithHistory(moved, history, { now: day2 });
    assert.deepEqual(comparison.get('agent-tesla')!.new, ['domain|kept.example']);
    assert.ok(comparison.get('remcos')!.removed.includes('domain|kept.example'));
  });

  test('keeps firstRun across runs', () => {
    const later = updateHistory(history, first, { now: day2 });
    const entry = later.families.remcos!['domain|kept.example']!;
    assert.equal(entry.firstRun, day1.toISOString());
    assert.equal(entry.lastRun, day2.toISOString());
    assert.equal(later.lastRun, day2.toISOString());
  });

  test('drops absent entries on update', () => {
    const later = updateHistory(
      history,
      new Map([['remcos', [domain('kept.example', 'Remcos')]]]),
      { now: day2 },
    );
    assert.deepEqual(Object.keys(later.families.remcos!), ['domain|kept.example']);
    assert.equal(Object.keys(history.families.remcos!).length, 4);
  });

  test('filters to new indicators', () => {
    const second = [domain('kept.example', 'Remcos'), domain('fresh.example', 'Remcos')];
    const comparison = compareWithHistory(groupByFamilyKey(second), history, { now: day2 });
    assert.deepEqual(
      keepNewIndicators(second, comparison).map((indicator) => indicator.value),
      ['fresh.example'],
    );
  });

  test('partitions every key exactly once', () => {
    const names = fc.constantFrom('a.example', 'b.example', 'c.example', 'd.example', 'e.example');
    const run = fc.uniqueArray(
      fc.record({ name: names, ageDays: fc.integer({ min: 0, max: 60 }) }),
      {
        selector: (item) => item.name,
      },
    );
    fc.assert(
      fc.property(run, run, (before, now) => {
        const toMap = (items: typeof before, at: Date) =>
          new Map([
            [
              'remcos',
              items.map((item) =>
                domain(item.name, 'Remcos', {
                  lastSeen: new Date(at.getTime() - item.ageDays * DAY),
                }),
              ),
            ],
          ]);
        const past = updateHistory(emptyHistory(), toMap(before, day1), { now: day1 });
        const diff = compareWithHistory(toMap(now, day2), past, { now: day2, maxAgeDays: 30 }).get(
          'remcos',
        ) ?? {
          new: [],
          unchanged: [],
          changed: [],
          expired: [],
          removed: [],
        };
        const all = [
          ...diff.new,
          ...diff.unchanged,
          ...diff.changed.map((change) => change.key),
          ...diff.expired,
          ...diff.removed,
        ];
        const expected = new Set([...before, ...now].map((item) => `domain|${item.name}`));
        assert.equal(all.length, expected.size);
        assert.deepEqual(new Set(all), expected);
      }),
    );
  });
});

describe('history with filters', () => {
  const day1 = new Date('2026-05-01T06:00:00Z');
  const day2 = new Date('2026-05-02T06:00:00Z');
  const recent = { lastSeen: new Date('2026-04-30T00:00:00Z') };
  const remcos = [
    domain('kept.example', 'Remcos', recent),
    domain('hidden.example', 'Remcos', recent),
    domain('gone.example', 'Remcos', recent),
  ];
  const xworm = [domain('x.example', 'XWorm', recent)];
  const history = updateHistory(
    emptyHistory(),
    new Map([
      ['remcos', remcos],
      ['xworm', xworm],
    ]),
    { now: day1 },
  );
  // Day two: the feeds still have hidden.example, but a filter leaves it out of the run.
  const feed = [remcos[0]!, remcos[1]!, ...xworm];
  const run = new Map([['remcos', [remcos[0]!]]]);

  test('reports only what left the feeds as removed', () => {
    const coverage = describeRunCoverage(feed, undefined, day2);
    const diff = compareWithHistory(run, history, { now: day2, coverage }).get('remcos')!;
    assert.deepEqual(diff.unchanged, ['domain|kept.example']);
    assert.deepEqual(diff.removed, ['domain|gone.example']);
    assert.deepEqual([diff.new, diff.expired], [[], []]);
  });

  test('keeps filtered-out entries on update', () => {
    const coverage = describeRunCoverage(feed, undefined, day2);
    const later = updateHistory(history, run, { now: day2, coverage });
    assert.deepEqual(Object.keys(later.families.remcos!).sort(), [
      'domain|hidden.example',
      'domain|kept.example',
    ]);
    assert.deepEqual(
      later.families.remcos!['domain|hidden.example'],
      history.families.remcos!['domain|hidden.example'],
    );
    assert.equal(later.families.remcos!['domain|kept.example']!.lastRun, day2.toISOString());
    assert.deepEqual(later.families.xworm, history.families.xworm);
  });

  test('leaves families outside --family alone', () => {
    // The XWorm run reads a feed that has no Remcos at all.
    const coverage = describeRunCoverage(xworm, ['XWorm'], day2);
    assert.deepEqual([...coverage.families!].sort(), ['xworm']);
    const xwormRun = new Map([['xworm', xworm]]);
    const comparison = compareWithHistory(xwormRun, history, { now: day2, coverage });
    assert.deepEqual([...comparison.keys()], ['xworm']);
    const later = updateHistory(history, xwormRun, { now: day2, coverage });
    assert.deepEqual(later.families.remcos, history.families.remcos);
  });

  test('covers a family by alias or key', () => {
    const aliased = domain('a.example', 'Remcos');
    aliased.family = { name: 'Remcos', malpedia: 'win.remcos', aliases: ['RemcosRAT'] };
    for (const name of ['win.remcos', 'remcosrat', 'REMCOS']) {
      const coverage = describeRunCoverage([aliased], [name], day2);
      assert.ok(coverage.families!.has('win.remcos'), name);
    }
    // A family absent from the feeds is covered when its --family name is its key, so its
    // entries that left the feeds are dropped.
    const vanished = describeRunCoverage([], ['Remcos'], day2);
    assert.deepEqual([...vanished.families!], ['remcos']);
    const later = updateHistory(history, new Map(), { now: day2, coverage: vanished });
    assert.equal(later.families.remcos, undefined);
    assert.deepEqual(later.families.xworm, history.families.xworm);
  });

  test('judges expiry by the feed dates', () => {
    const old = updateHistory(
      emptyHistory(),
      new Map([['remcos', [domain('hidden.example', 'Remcos', { lastSeen: day1 })]]]),
      { now: new Date('2026-01-01T00:00:00Z') },
    );
    // The state records last seen on day one, which is past a one-day limit at day three, but the
    // feeds saw the indicator again on day two.
    const day3 = new Date('2026-05-03T05:00:00Z');
    const coverage: RunCoverage = describeRunCoverage(
      [domain('hidden.example', 'Remcos', { lastSeen: day2 })],
      undefined,
      day3,
    );
    const fresh = compareWithHistory(new Map(), old, { now: day3, maxAgeDays: 1, coverage });
    assert.deepEqual(fresh.get('remcos'), {
      new: [],
      unchanged: [],
      changed: [],
      expired: [],
      removed: [],
    });
    const stale = compareWithHistory(new Map(), old, { now: day3, maxAgeDays: 1 });
    assert.deepEqual(stale.get('remcos')!.expired, ['domain|hidden.example']);
  });
});

describe(
  'two builds a day apart',
  { skip: skipWithoutShared(SHARED_API_ITEMS) || skipWithoutShared(SHARED_API_ANSWER) },
  () => {
    test('reports new, expired and removed', async () => {
      const items = sharedApiItems();
      const recorded = (JSON.parse(sharedApiAnswer()) as { data: unknown[] }).data;
      const server = await startFakeThreatFox(
        jsonResponse({ query_status: 'ok', data: items.slice(0, 10) }),
        jsonResponse({ query_status: 'ok', data: [...items.slice(5, 15), ...recorded] }),
        jsonResponse({ query_status: 'ok', data: items.slice(0, 10) }),
        jsonResponse({ query_status: 'ok', data: [...items.slice(5, 15), ...recorded] }),
      );
      const threatfox = {
        authKey: 'tfk-history-test-key',
        baseUrl: server.url,
        retryBaseDelayMs: 1,
      };
      // Family and indicator key pairs, because an indicator that changes family between runs is
      // removed from one family and new in the other.
      const pairsOf = async () => {
        const collected = await collectIndicators(['threatfox:days=1'], { threatfox });
        const pairs = new Set<string>();
        for (const [slug, members] of groupByFamilyKey(collected.indicators)) {
          for (const indicator of members) pairs.add(`${slug} ${indicatorKey(indicator)}`);
        }
        return pairs;
      };
      const stateFile = join(folder, 'two-days.json');
      try {
        const day1 = new Date('2022-08-06T06:00:00Z');
        const run1 = await collectIndicators(['threatfox:days=1'], { threatfox, now: day1 });
        const byFamily1 = groupByFamilyKey(run1.indicators);
        const first = compareWithHistory(byFamily1, await loadHistory(stateFile), {
          now: day1,
          maxAgeDays: 90,
        });
        for (const diff of first.values()) {
          assert.deepEqual([diff.unchanged, diff.expired, diff.removed], [[], [], []]);
        }
        await saveHistory(
          stateFile,
          updateHistory(await loadHistory(stateFile), byFamily1, { now: day1 }),
        );

        const day2 = new Date('2022-08-07T06:00:00Z');
        const run2 = await collectIndicators(['threatfox:days=1'], { threatfox, now: day2 });
        const second = compareWithHistory(
          groupByFamilyKey(run2.indicators),
          await loadHistory(stateFile),
          {
            now: day2,
            maxAgeDays: 90,
          },
        );

        // The same two responses again, collected on their own, give the expected pairs.
        const day1Pairs = await pairsOf();
        const day2Pairs = await pairsOf();
        const expiredPairs = new Set([
          'win.cobalt_strike url|https://188.131.211.152/activity',
          'win.ave_maria sha256|cf87c474b0154c536cdf0e771c8ca97d9c4ba1d5530f669b677cd3b9346fe37d',
        ]);
        const union = (pick: (diff: FamilyHistoryDiff) => string[]) =>
          new Set([...second].flatMap(([slug, diff]) => pick(diff).map((key) => `${slug} ${key}`)));
        const expectedRemoved = [...day1Pairs].filter((pair) => !day2Pairs.has(pair));
        const expectedNew = [...day2Pairs].filter(
          (pair) => !day1Pairs.has(pair) && !expiredPairs.has(pair),
        );
        const expectedUnchanged = [...day1Pairs].filter((pair) => day2Pairs.has(pair));

        assert.ok(expectedRemoved.length > 0);
        assert.ok(expectedNew.length > 0);
        assert.deepEqual(
          union((diff) => diff.unchanged),
          new Set(expectedUnchanged),
        );
        assert.deepEqual(
          union((diff) => diff.removed),
          new Set(expectedRemoved),
        );
        assert.deepEqual(
          union((diff) => diff.new),
          new Set(expectedNew),
        );
        assert.deepEqual(
          union((diff) => diff.expired),
          expiredPairs,
        );
        assert.deepEqual(second.get('win.cobalt_strike')?.expired, [
          'url|https://188.131.211.152/activity',
        ]);
        assert.deepEqual(second.get('win.ave_maria')?.expired, [
          'sha256|cf87c474b0154c536cdf0e771c8ca97d9c4ba1d5530f669b677cd3b9346fe37d',
        ]);
        assert.ok(
          second.get('win.redline_stealer')?.removed.includes('ip-port|[2a02:cf40:1::5]:40669'),
        );
      } finally {
        await server.close();
      }
    });
  },
);

describe('migrateFolderKeys', () => {
  const entry = (firstRun: string, lastRun: string) => ({ firstRun, lastRun });
  const withId = (name: string, family: string, malpedia: string): Indicator => {
    const indicator = domain(name, family);
    indicator.family = { name: family, malpedia, aliases: [] };
    return indicator;
  };

  test('moves folder entries to the family that holds them', () => {
    const loaded = parseHistory(
      JSON.stringify({
        version: 1,
        lastRun: '2026-05-02T00:00:00.000Z',
        families: {
          latrodectus: {
            'domain|a.example': entry('2026-05-01T00:00:00.000Z', '2026-05-02T00:00:00.000Z'),
          },
          // The same family under its old name, with one indicator in both folders.
          'latrodectus-2': {
            'domain|a.example': entry('2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z'),
            'domain|b.example': entry('2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z'),
          },
          vanished: {
            'domain|gone.example': entry('2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z'),
          },
        },
      }),
      'v1.json',
    );
    assert.equal(loaded.keyedByFolder, true);
    const feeds = groupByFamilyKey([
      withId('a.example', 'Latrodectus', 'win.latrodectus'),
      withId('b.example', 'Latrodectus', 'win.latrodectus'),
    ]);

    const migrated = migrateFolderKeys(loaded, feeds);
    assert.equal(migrated.keyedByFolder, undefined);
    assert.equal(migrated.version, 2);
    assert.equal(migrated.lastRun, '2026-05-02T00:00:00.000Z');
    assert.deepEqual(Object.keys(migrated.families).sort(), ['folder:vanished', 'win.latrodectus']);
    assert.deepEqual(migrated.families['win.latrodectus'], {
      'domain|a.example': entry('2026-04-01T00:00:00.000Z', '2026-05-02T00:00:00.000Z'),
      'domain|b.example': entry('2026-04-01T00:00:00.000Z', '2026-04-02T00:00:00.000Z'),
    });
    assert.deepEqual(migrated.families['folder:vanished'], loaded.families.vanished);

    // A later run whose feeds have the vanished folder's indicator moves it then.
    const later = migrateFolderKeys(
      migrated,
      groupByFamilyKey([withId('gone.example', 'Vidar', 'win.vidar')]),
    );
    assert.deepEqual(Object.keys(later.families).sort(), ['win.latrodectus', 'win.vidar']);
    assert.deepEqual(later.families['win.vidar'], loaded.families.vanished);
    assert.deepEqual(later.families['win.latrodectus'], migrated.families['win.latrodectus']);
  });

  test('leaves a version 2 history as it is', () => {
    const history = updateHistory(
      emptyHistory(),
      new Map([['remcos', [domain('a.example', 'Remcos')]]]),
      {
        now: new Date('2026-05-01T00:00:00Z'),
      },
    );
    assert.equal(migrateFolderKeys(history, new Map()), history);
  });
});

test('migrateFolderKeys follows each indicator of a split folder', () => {
  const entry = { firstRun: '2026-01-01T00:00:00.000Z', lastRun: '2026-01-02T00:00:00.000Z' };
  const loaded = parseHistory(
    JSON.stringify({
      version: 1,
      lastRun: '2026-01-02T00:00:00.000Z',
      families: {
        remcos: {
          'domain|a1.example': entry,
          'domain|a2.example': entry,
          'domain|a3.example': entry,
        },
      },
    }),
    'split.json',
  );
  const family = (name: string, malpedia: string) => ({ name, malpedia, aliases: [] });
  const feeds = groupByFamilyKey([
    { ...domain('a1.example', 'Remcos'), family: family('Remcos', 'win.remcos') },
    { ...domain('a3.example', 'Agent Tesla'), family: family('Agent Tesla', 'win.agent_tesla') },
  ]);
  const migrated = migrateFolderKeys(loaded, feeds);
  // a2 is in no feed today, so it goes with most of its folder: to Remcos.
  assert.deepEqual(Object.keys(migrated.families['win.remcos']!).sort(), [
    'domain|a1.example',
    'domain|a2.example',
  ]);
  assert.deepEqual(Object.keys(migrated.families['win.agent_tesla']!), ['domain|a3.example']);
});

describe('changed confidence and threat type', () => {
  const day1 = new Date('2026-05-01T06:00:00Z');
  const day2 = new Date('2026-05-02T06:00:00Z');
  const context = { confidence: 100, threatType: 'botnet_cc' };
  const first = new Map([
    [
      'remcos',
      [
        domain('same.example', 'Remcos', context),
        domain('lower.example', 'Remcos', context),
        domain('retyped.example', 'Remcos', context),
        domain('bare.example', 'Remcos'),
      ],
    ],
  ]);
  const history = updateHistory(emptyHistory(), first, { now: day1 });

  test('records what the run gave', () => {
    assert.deepEqual(history.families.remcos?.['domain|lower.example'], {
      firstRun: day1.toISOString(),
      lastRun: day1.toISOString(),
      confidence: 100,
      threatType: 'botnet_cc',
    });
    assert.equal('confidence' in history.families.remcos['domain|bare.example']!, false);
  });

  test('lists each change with both values', () => {
    const second = new Map([
      [
        'remcos',
        [
          domain('same.example', 'Remcos', context),
          domain('lower.example', 'Remcos', { ...context, confidence: 50 }),
          domain('retyped.example', 'Remcos', { confidence: 100 }),
          domain('bare.example', 'Remcos', context),
        ],
      ],
    ]);
    const diff = compareWithHistory(second, history, { now: day2 }).get('remcos')!;
    assert.deepEqual(diff.unchanged, ['domain|bare.example', 'domain|same.example']);
    assert.deepEqual(diff.changed, [
      { key: 'domain|lower.example', confidence: [100, 50] },
      { key: 'domain|retyped.example', threatType: ['botnet_cc', null] },
    ]);
  });

  test('older state entries count as unchanged', () => {
    const older = parseHistory(
      JSON.stringify({
        version: 2,
        lastRun: day1.toISOString(),
        families: {
          remcos: {
            'domain|lower.example': { firstRun: day1.toISOString(), lastRun: day1.toISOString() },
          },
        },
      }),
      'state.json',
    );
    const second = new Map([['remcos', [domain('lower.example', 'Remcos', { confidence: 5 })]]]);
    const diff = compareWithHistory(second, older, { now: day2 }).get('remcos')!;
    assert.deepEqual(diff.unchanged, ['domain|lower.example']);
    assert.deepEqual(diff.changed, []);
  });

  test('state with a text confidence is invalid', () => {
    const text = JSON.stringify({
      version: 2,
      families: {
        remcos: {
          'domain|a.example': {
            firstRun: day1.toISOString(),
            lastRun: day1.toISOString(),
            confidence: '100',
          },
        },
      },
    });
    assert.throws(
      () => parseHistory(text, 'state.json'),
      /entry "remcos domain\|a\.example" has confidence "100", not a number/,
    );
  });
});
