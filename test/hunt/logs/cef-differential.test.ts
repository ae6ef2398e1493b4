import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCef } from '../../../src/hunt/logs/cef.js';
import { parseCefRecord } from '../../../src/hunt/logs/cef-record.js';
import { CEF_KEY_COLUMNS } from '../../../src/hunt/logs/cef-fields.js';
import { parseTimeZone } from '../../../src/hunt/logs/log-time.js';
import type { EventFilter, RecordContext, RecordOutcome } from '../../../src/hunt/logs/record.js';
import { parseCef as oracleParseCef } from './oracle/cef-parse.js';
import { parseCefRecord as oracleParseCefRecord } from './oracle/cef-record.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { logFixture } from './collect-events.js';

interface Parsed {
  outcome: RecordOutcome;
  warnings: string[];
}

function contextFor(warnings: string[], options: Partial<RecordContext> = {}): RecordContext {
  return {
    file: 'x.log',
    line: 1,
    time: { year: 2024, timeZone: parseTimeZone('UTC') },
    warn: (code, message) => warnings.push(`${code}: ${message}`),
    ...options,
  };
}

function parseWith(
  parse: (line: string, context: RecordContext) => RecordOutcome,
  line: string,
  options: Partial<RecordContext> = {},
): Parsed {
  const warnings: string[] = [];
  return { outcome: parse(line, contextFor(warnings, options)), warnings };
}

function assertSameRecord(line: string, options: Partial<RecordContext> = {}): void {
  const actual = parseWith(parseCefRecord, line, options);
  const expected = parseWith(oracleParseCefRecord, line, options);
  assert.deepEqual(actual, expected, `line: ${JSON.stringify(line)}`);
}

function assertSameMessage(line: string): void {
  assert.deepEqual(parseCef(line), oracleParseCef(line), `line: ${JSON.stringify(line)}`);
}

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n');
}

function linesOfFolder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => linesOf(join(folder, name)));
}

/** Lines of the CEF fixtures: hard cases, JSON-wrapped messages and two vendors' samples. */
function fixtureLines(): string[] {
  return [
    ...linesOf(logFixture('cef/hard-cases.log')),
    ...linesOf(logFixture('cef/multi-line.jsonl')),
    ...linesOf(logFixture('cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt')),
    ...linesOf(logFixture('cef/azure-sentinel_fortiwebwafsamplelog_TRIMMED.txt')),
  ];
}

const KEYS = [...CEF_KEY_COLUMNS.keys()];

/** Extension text made of the characters that decide where pairs and escapes end. */
const trickyText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        ' ',
        '  ',
        '\t',
        '\n',
        '\r',
        '\\',
        '=',
        '|',
        '\\ ',
        '\\=',
        '\\\\',
        'é',
        '\u00a0',
      ),
      fc.constantFrom('src=', 'dst=', 'msg=', 'x.y=', 'a[1]=', 'rt=', 'cs1Label=', 'k-1='),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

/** Plausible values: numbers, bad numbers, times, zones, addresses and free text. */
const value = fc.oneof(
  fc.constantFrom(
    '443',
    '-1',
    '70000',
    'https',
    '12345678901',
    '99999999999999999999',
    '1.5',
    'NaN',
    'null',
    '',
    ' ',
    '1659523775038',
    '2022-07-25T04:56:13-05:00',
    'Jul 31 2022 12:46:24',
    'Feb 30 2022 12:00:00',
    'Europe/Berlin',
    'Mars/Olympus',
    '+01:00',
    '10.0.0.1',
    'fd00::555',
    '[fd00::555]:8443',
    '10.0.0.1:8080',
    '010.0.0.1',
    '-',
    'a\\=b c\\\\d\\ne',
    'two words',
  ),
  fc.string({ maxLength: 12 }),
);

const pair = fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom('myKey', 'x_1')), value);

const prefix = fc.constantFrom(
  '',
  '<134>Aug  3 12:00:00 fw01 ',
  '<134>1 2021-06-18T10:55:50.000003Z host5424 app - - - ',
  '<134>Feb 30 12:00:00 host ',
  'ASM:',
  'junk ',
);

const cefLine = fc
  .tuple(prefix, fc.array(pair, { maxLength: 12 }), fc.constantFrom('', 'stray ', '\\ x '))
  .map(
    ([head, pairs, stray]) =>
      `${head}CEF:0|Acme\\|Corp|FW|1.0|100|Name|5|${stray}${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`,
  );

describe('parseCef against the earlier parser', () => {
  it('agrees on the fixture lines', () => {
    for (const line of [
      ...linesOf(logFixture('cef/hard-cases.log')),
      ...linesOf(logFixture('cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt')),
      ...linesOf(logFixture('cef/azure-sentinel_fortiwebwafsamplelog_TRIMMED.txt')),
    ]) {
      assertSameMessage(line);
    }
  });

  it('agrees on random extension text', () => {
    fc.assert(
      fc.property(trickyText, (text) => {
        assertSameMessage(`CEF:0|a|b|c|d|e|f|${text}`);
        assertSameMessage(`CEF:0|a|b|c|d|e|f|k=${text}`);
        assertSameMessage(`CEF:0||x|${text}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        assertSameMessage(text);
        assertSameMessage(`CEF:1|${text}`);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseCefRecord against the earlier mapping', () => {
  it('agrees on the fixture lines', () => {
    for (const line of fixtureLines()) {
      assertSameRecord(line);
      assertSameRecord(line, { time: {} });
    }
  });

  it('agrees on the vendor samples', { skip: skipWithoutShared('logs/cef') }, () => {
    for (const line of linesOfFolder(sharedFile('logs/cef'))) {
      assertSameRecord(line);
      assertSameRecord(line, { time: {} });
    }
  });

  it('agrees on random lines', () => {
    fc.assert(
      fc.property(cefLine, (line) => assertSameRecord(line)),
      { numRuns: 2000 },
    );
  });
});

const FILTERS: Array<[string, EventFilter]> = [
  [
    'on text columns',
    {
      // Keeps events whose DestinationIP or RequestURL contains a `7`.
      keeps: (_table, columns) =>
        String(columns.DestinationIP ?? '').includes('7') ||
        String(columns.RequestURL ?? '').includes('7'),
      columns: () => ['DestinationIP', 'RequestURL'],
    },
  ],
  [
    'on a port column',
    {
      // Keeps events to port 443, or whose RequestURL contains a `7`, as a URL key with a port
      // column reads them.
      keeps: (_table, columns) =>
        columns.DestinationPort === 443 || String(columns.RequestURL ?? '').includes('7'),
      columns: () => ['RequestURL', 'DestinationPort'],
    },
  ],
];

for (const [name, filter] of FILTERS)
  describe(`parseCefRecord with a filter ${name}`, () => {
    /** Returns true when the filtered parse dropped the line; asserts it matches the full parse. */
    function assertFiltersLikeFullParse(line: string, options: Partial<RecordContext> = {}) {
      const full = parseWith(parseCefRecord, line, options);
      const filtered = parseWith(parseCefRecord, line, { ...options, filter });
      const label = `line: ${JSON.stringify(line)}`;
      assert.deepEqual(filtered.warnings, full.warnings, label);
      if (full.outcome.kind !== 'event') {
        assert.deepEqual(filtered.outcome, full.outcome, label);
      } else if (filter.keeps('CommonSecurityLog', full.outcome.columns)) {
        assert.deepEqual(filtered.outcome, full.outcome, label);
      } else {
        assert.deepEqual(filtered.outcome, { kind: 'filtered', table: 'CommonSecurityLog' }, label);
        return true;
      }
      return false;
    }

    /** Checks `numRuns` generated lines and that the filter dropped at least `minDropped`. */
    function assertFiltersGeneratedLines(
      lines: fc.Arbitrary<string>,
      numRuns: number,
      minDropped: number,
    ): void {
      let dropped = 0;
      fc.assert(
        fc.property(lines, (line) => {
          if (assertFiltersLikeFullParse(line)) dropped++;
        }),
        { numRuns },
      );
      assert.ok(dropped >= minDropped, `only ${dropped} lines dropped`);
    }

    it('keeps the events the filter keeps, with the same warnings', () => {
      assertFiltersGeneratedLines(cefLine, 2000, 100);
    });

    it('decides lines with clean typed values as the full parse does', () => {
      // The reader decides lines with a valid epoch rt and clean numbers without the full mapping.
      // A few values near each limit must still raise their warnings.
      const cleanValue = fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom('0', '443', '65535', '123456789', ' 80 ', '') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '65536',
            '1234567890',
            '0080',
            '+1',
            '1 2',
            '8\\0',
            '\u00a080',
          ),
        },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            '10.0.0.7',
            '[fd00::7]',
            '10.0.0.7:80',
            '10.0.0.700',
            '-',
            'https://a.example/7',
            'x y',
            'a\\=b',
          ),
        },
      );
      const cleanPair = fc.tuple(
        fc.constantFrom(...KEYS.filter((key) => key !== 'rt')),
        cleanValue,
      );
      const time = fc.constantFrom('1659523775038', '165952377', ' 1659523775 ', '16595237', '');
      const cleanLine = fc
        .tuple(fc.array(cleanPair, { maxLength: 14 }), time, fc.nat({ max: 14 }))
        .map(([pairs, rt, at]) => {
          const texts = pairs.map(([key, text]) => `${key}=${text}`);
          texts.splice(Math.min(at, texts.length), 0, `rt=${rt}`);
          return `<134>Aug  3 12:00:00 fw01 CEF:0|Acme|FW|1.0|100|Name|5|${texts.join(' ')}`;
        });
      assertFiltersGeneratedLines(cleanLine, 3000, 300);
    });

    it('decides the fixture lines as the full parse does', () => {
      for (const line of fixtureLines()) {
        assertFiltersLikeFullParse(line);
        assertFiltersLikeFullParse(line, { time: {} });
      }
    });
  });
