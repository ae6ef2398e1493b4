import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/errors.js';
import {
  buildFamilyMatcher,
  familiesOf,
  familySlug,
  filterIndicators,
  parseKinds,
  parseSince,
} from '../../src/indicators/filter.js';
import type { Indicator, IndicatorContext } from '../../src/indicators/model.js';
import { accept, rawIndicator } from './helpers.js';

const NOW = new Date('2026-04-12T04:49:28Z');
const DAY_MS = 86_400_000;

function daysAgo(days: number): Date {
  return new Date(NOW.getTime() - days * DAY_MS);
}

function make(type: string, value: string, context: Partial<IndicatorContext>): Indicator {
  return accept(rawIndicator(type, value, { context })).indicator;
}

const QUASAR = {
  name: 'Quasar RAT',
  malpedia: 'win.quasar_rat',
  aliases: ['CinaRAT', 'Yggdrasil'],
};
const COBALT = { name: 'Cobalt Strike', malpedia: 'win.cobalt_strike', aliases: ['BEACON'] };

const LIST: Indicator[] = [
  make('domain', 'xn--0ck0d7bw166ajkwa.jpn.com', {
    family: QUASAR,
    threatType: 'botnet_cc',
    confidence: 100,
    firstSeen: daysAgo(1),
  }),
  make('ip-port', '47.95.207.79:443', {
    family: COBALT,
    threatType: 'botnet_cc',
    confidence: 75,
    firstSeen: daysAgo(1500),
    lastSeen: daysAgo(0.5),
  }),
  make('url', 'http://45.32.150.251/g', {
    threatType: 'payload_delivery',
    confidence: 50,
    firstSeen: daysAgo(40),
  }),
  make('sha256', 'a'.repeat(64), { family: COBALT }),
];

function values(indicators: Indicator[]): string[] {
  return indicators.map((indicator) => indicator.value);
}

test('filter with no options keeps everything', () => {
  const result = filterIndicators(LIST, {}, NOW);
  assert.equal(result.kept.length, LIST.length);
  assert.deepEqual(result.removed, {
    kind: 0,
    family: 0,
    threatType: 0,
    confidence: 0,
    since: 0,
    maxAge: 0,
    expired: 0,
  });
});

test('family filter matches name, Malpedia id and alias', () => {
  for (const family of ['quasar rat', 'WIN.QUASAR_RAT', 'cinarat']) {
    const result = filterIndicators(LIST, { families: [family] }, NOW);
    assert.deepEqual(values(result.kept), ['xn--0ck0d7bw166ajkwa.jpn.com'], family);
    assert.equal(result.removed.family, 3, family);
  }
  const both = filterIndicators(LIST, { families: ['beacon', 'Yggdrasil'] }, NOW);
  assert.equal(both.kept.length, 3);
  assert.equal(filterIndicators(LIST, { families: ['quasar'] }, NOW).kept.length, 0);
  assert.equal(filterIndicators(LIST, { families: ['quasar-rat'] }, NOW).kept.length, 0);
});

test('alias selects rows without it', () => {
  // ThreatFox gives a family's aliases on some rows only: Phorpiex rows with and without TwizT.
  const phorpiex = { name: 'Phorpiex', malpedia: 'win.phorpiex', aliases: [] };
  const list = [
    make('domain', 'one.example', { family: { ...phorpiex, aliases: ['TwizT'] } }),
    make('domain', 'two.example', { family: phorpiex }),
    make('domain', 'three.example', { family: { ...phorpiex, aliases: ['Trik'] } }),
    ...LIST,
  ];
  for (const name of ['twizt', 'Trik', 'phorpiex']) {
    const result = filterIndicators(list, { families: [name] }, NOW);
    assert.deepEqual(values(result.kept), ['one.example', 'two.example', 'three.example'], name);
    assert.equal(result.removed.family, LIST.length, name);
  }
  // Another family that shares the printable name but not the Malpedia id stays out.
  const other = make('domain', 'four.example', { family: { name: 'Phorpiex', aliases: [] } });
  const result = filterIndicators([...list, other], { families: ['twizt'] }, NOW);
  assert.equal(result.kept.includes(other), false);
});

test('alias selects placeholder rows one by one', () => {
  const unknown = { name: 'Unknown malware', malpedia: 'unknown', aliases: [] };
  const list = [
    make('domain', 'one.example', { family: { ...unknown, aliases: ['Remcos'] } }),
    make('domain', 'two.example', { family: unknown }),
    make('domain', 'three.example', {
      family: { name: 'Unknown RAT', malpedia: 'unknown_rat', aliases: [] },
    }),
  ];
  const result = filterIndicators(list, { families: ['remcos'] }, NOW);
  assert.deepEqual(values(result.kept), ['one.example']);
  assert.deepEqual(values(filterIndicators(list, { families: ['unknown'] }, NOW).kept), [
    'one.example',
    'two.example',
  ]);
});

test('familiesOf unites the aliases of a family', () => {
  const phorpiex = { name: 'Phorpiex', malpedia: 'win.phorpiex', aliases: [] };
  const families = familiesOf([
    make('domain', 'one.example', { family: phorpiex }),
    make('domain', 'two.example', { family: { ...phorpiex, aliases: ['TwizT'] } }),
    make('domain', 'three.example', { family: { ...phorpiex, aliases: ['Trik', 'TwizT'] } }),
    ...LIST,
  ]);
  assert.deepEqual(
    families.map((family) => [family.name, family.aliases]),
    [
      ['Phorpiex', ['TwizT', 'Trik']],
      ['Quasar RAT', ['CinaRAT', 'Yggdrasil']],
      ['Cobalt Strike', ['BEACON']],
    ],
  );
  // A placeholder family takes no aliases from its rows, which name unrelated malware.
  const unknown = { name: 'Unknown malware', malpedia: 'unknown', aliases: [] };
  const placeholders = familiesOf([
    make('domain', 'four.example', { family: unknown }),
    make('domain', 'five.example', { family: { ...unknown, aliases: ['Remcos'] } }),
  ]);
  assert.deepEqual(
    placeholders.map((family) => family.aliases),
    [[]],
  );
  // The feed's own family objects stay as they were.
  assert.deepEqual(phorpiex.aliases, []);
});

test('long threat type filter matches the shortened value', () => {
  const long = 't'.repeat(300);
  const list = [make('domain', 'one.example', { threatType: long })];
  assert.equal(filterIndicators(list, { threatTypes: [long] }, NOW).kept.length, 1);
});

test('kind and threat type filters', () => {
  const kinds = filterIndicators(LIST, { kinds: ['ip-port', 'sha256'] }, NOW);
  assert.deepEqual(values(kinds.kept), ['47.95.207.79:443', 'a'.repeat(64)]);
  assert.equal(kinds.removed.kind, 2);
  const types = filterIndicators(LIST, { threatTypes: ['Payload_Delivery'] }, NOW);
  assert.deepEqual(values(types.kept), ['http://45.32.150.251/g']);
  assert.equal(types.removed.threatType, 3);
});

test('confidence filter removes indicators without a confidence', () => {
  const result = filterIndicators(LIST, { minConfidence: 75 }, NOW);
  assert.deepEqual(values(result.kept), ['xn--0ck0d7bw166ajkwa.jpn.com', '47.95.207.79:443']);
  assert.equal(result.removed.confidence, 2);
});

test('since filter compares first seen', () => {
  const result = filterIndicators(LIST, { since: parseSince('30d', NOW) }, NOW);
  assert.deepEqual(values(result.kept), ['xn--0ck0d7bw166ajkwa.jpn.com']);
  assert.equal(result.removed.since, 3);
  const exact = filterIndicators(LIST, { since: daysAgo(40) }, NOW);
  assert.equal(exact.kept.length, 2);
});

test('max age uses last seen, then first seen', () => {
  const result = filterIndicators(LIST, { maxAgeDays: 30 }, NOW);
  assert.deepEqual(values(result.kept), ['xn--0ck0d7bw166ajkwa.jpn.com', '47.95.207.79:443']);
  assert.equal(result.removed.maxAge, 2);
  assert.equal(filterIndicators(LIST, { maxAgeDays: 40 }, NOW).kept.length, 3);
});

test('each removed indicator counts under its first filter', () => {
  const result = filterIndicators(
    LIST,
    { kinds: ['domain', 'url'], minConfidence: 90, maxAgeDays: 7 },
    NOW,
  );
  assert.deepEqual(values(result.kept), ['xn--0ck0d7bw166ajkwa.jpn.com']);
  assert.deepEqual(result.removed, {
    kind: 2,
    family: 0,
    threatType: 0,
    confidence: 1,
    since: 0,
    maxAge: 0,
    expired: 0,
  });
});

test('dropExpired removes indicators past their expiry', () => {
  const [first, second, third] = LIST;
  const list = [
    { ...first!, expires: new Date(NOW.getTime() - 1000) },
    { ...second!, expires: NOW },
    { ...third!, expires: new Date(NOW.getTime() + 1000) },
  ];
  const result = filterIndicators(list, { dropExpired: true }, NOW);
  assert.deepEqual(values(result.kept), [values([third!])[0]]);
  assert.equal(result.removed.expired, 2);
  assert.equal(filterIndicators(list, {}, NOW).kept.length, 3, 'off unless asked');
});

test('parseSince reads durations and dates', () => {
  assert.equal(parseSince('30d', NOW).toISOString(), daysAgo(30).toISOString());
  assert.equal(parseSince('12h', NOW).toISOString(), '2026-04-11T16:49:28.000Z');
  assert.equal(parseSince('2W', NOW).toISOString(), daysAgo(14).toISOString());
  assert.equal(parseSince('2026-04-01', NOW).toISOString(), '2026-04-01T00:00:00.000Z');
  assert.equal(parseSince('2026-04-01 12:30', NOW).toISOString(), '2026-04-01T12:30:00.000Z');
  assert.equal(
    parseSince('2026-04-01T12:30:00.5+02:00', NOW).toISOString(),
    '2026-04-01T10:30:00.500Z',
  );
  assert.equal(parseSince('2026-04-01T12:30:00Z', NOW).toISOString(), '2026-04-01T12:30:00.000Z');
});

test('parseSince rejects other text', () => {
  for (const text of [
    '',
    '30',
    'd30',
    '30m',
    '2026-02-30',
    '2026-13-01',
    '2026-04-01T25:00',
    '2026-04-01T10:00+24:00',
    'yesterday',
  ]) {
    assert.throws(
      () => parseSince(text, NOW),
      (error: unknown) => error instanceof UsageError && error.code === 'INVALID_SINCE',
      text,
    );
  }
  assert.throws(
    () => parseSince('last week', NOW),
    /Invalid since value "last week"\. Expected a duration/,
  );
});

test('parseSince rejects a zero duration', () => {
  for (const text of ['0d', '0h', '00w']) {
    assert.throws(
      () => parseSince(text, NOW),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'INVALID_SINCE' &&
        /a duration of 0 keeps no indicator/.test(error.message),
      text,
    );
  }
});

test('parseKinds accepts both naming schemes', () => {
  assert.deepEqual(parseKinds(['ip:port', 'domain,sha256_hash', 'ip-port', ' URL ']), [
    'ip-port',
    'domain',
    'sha256',
    'url',
  ]);
  assert.throws(
    () => parseKinds(['email']),
    (error: unknown) => error instanceof UsageError && error.code === 'INVALID_INDICATOR_TYPE',
  );
});

test('familySlug writes stable kebab-case ASCII', () => {
  assert.equal(familySlug('Cobalt Strike'), 'cobalt-strike');
  assert.equal(familySlug('RedLine Stealer'), 'redline-stealer');
  assert.equal(familySlug('  Quasar RAT!! '), 'quasar-rat');
  assert.equal(familySlug('win.remcos'), 'win-remcos');
  assert.equal(familySlug('Ærø Straße Café'), 'aero-strasse-cafe');
  assert.equal(familySlug('CON'), 'con-family');
  assert.equal(familySlug('x'.repeat(100)).length, 64);
});

test('familySlug of a name without ASCII letters is a hash', () => {
  const slug = familySlug('メンズ');
  assert.match(slug, /^family-[0-9a-f]{8}$/);
  assert.equal(familySlug('メンズ'), slug);
  assert.notEqual(familySlug('発毛剤'), slug);
  assert.match(familySlug(''), /^family-[0-9a-f]{8}$/);
});

test('family matcher takes every filter name', () => {
  for (const name of ['Cobalt Strike', 'win.cobalt_strike', 'beacon']) {
    assert.equal(buildFamilyMatcher([name])(COBALT), true, name);
  }
  assert.equal(buildFamilyMatcher(['cobalt-strike'])(COBALT), false);
  const matches = buildFamilyMatcher(['Quasar RAT']);
  assert.equal(matches(QUASAR), true);
  assert.equal(matches(COBALT), false);
});

test('max age uses the later of first and last seen', () => {
  // ThreatFox exports have rows whose last_seen is before their first_seen.
  const inverted = make('domain', 'windlrr.com', {
    family: QUASAR,
    firstSeen: daysAgo(2),
    lastSeen: daysAgo(60),
  });
  const result = filterIndicators([inverted], { maxAgeDays: 30 }, NOW);
  assert.deepEqual(values(result.kept), ['windlrr.com']);
  assert.equal(result.removed.maxAge, 0);
});
