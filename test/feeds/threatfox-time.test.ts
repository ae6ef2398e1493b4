import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseThreatFoxTime } from '../../src/feeds/threatfox-time.js';

test('reads each ThreatFox time spelling', () => {
  const cases: Array<[string, string]> = [
    ['2026-07-24 13:50:06', '2026-07-24T13:50:06.000Z'],
    ['2022-01-07 16:29:58 UTC', '2022-01-07T16:29:58.000Z'],
    ['2026-07-24T13:50:06Z', '2026-07-24T13:50:06.000Z'],
    ['2026-07-24T13:50:06.123456Z', '2026-07-24T13:50:06.123Z'],
    ['2026-07-24T15:50:06+02:00', '2026-07-24T13:50:06.000Z'],
    ['2026-07-24T08:50:06-0500', '2026-07-24T13:50:06.000Z'],
    ['2024-02-29 00:00:00', '2024-02-29T00:00:00.000Z'],
  ];
  for (const [text, iso] of cases) {
    assert.equal(parseThreatFoxTime(text)?.toISOString(), iso, text);
  }
});

test('rejects impossible and other times', () => {
  for (const text of [
    '2026-02-29 00:00:00',
    '2026-04-31 00:00:00',
    '2026-13-01 00:00:00',
    '2026-01-01 24:00:00',
    '0099-01-01 00:00:00',
    '2026-01-01',
    '2026/01/01 00:00:00',
    '2026-01-01 00:00:00 CET',
    '2026-01-01T00:00:00+19:00',
    'None',
    '',
  ]) {
    assert.equal(parseThreatFoxTime(text), undefined, text);
  }
});

test('plain and ISO spellings agree', () => {
  fc.assert(
    fc.property(
      fc.date({
        min: new Date('1971-01-01T00:00:00Z'),
        max: new Date('2099-12-31T23:59:59Z'),
        noInvalidDate: true,
      }),
      (date) => {
        const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
        const plain = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
        assert.equal(parseThreatFoxTime(plain)?.toISOString(), iso);
        assert.equal(parseThreatFoxTime(`${plain} UTC`)?.toISOString(), iso);
        assert.equal(parseThreatFoxTime(iso)?.toISOString(), iso);
      },
    ),
  );
});

test('agrees with Date.UTC from year 100 on', () => {
  fc.assert(
    fc.property(
      fc.date({
        min: new Date('0100-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      }),
      (date) => {
        const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString();
        const plain = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
        assert.equal(parseThreatFoxTime(plain)?.getTime(), Date.parse(iso), plain);
      },
    ),
    { numRuns: 2000 },
  );
});
