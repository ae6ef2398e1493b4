import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { IocCell } from '../../src/compile/ir.js';
import {
  findRemovedRowKeys,
  indicatorCells,
  indicatorsOwningRows,
} from '../../src/compile/removed-indicator-hits.js';
import type { RemovedRowKeys } from '../../src/compile/removed-indicator-hits.js';
import type { Indicator } from '../../src/indicators/model.js';
import { parseFilterOrThrow } from '../../src/pipeline/filter-lang/parse.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';

/**
 * Returns the indicators that own a removed row by comparing every row with every indicator, the
 * definition that `indicatorsOwningRows` implements with an index.
 */
function ownersByScan(
  indicators: readonly Indicator[],
  rows: readonly RemovedRowKeys[],
): Indicator[] {
  return indicators.filter((indicator) => {
    const cells = indicatorCells(indicator);
    return rows.some((row) => [...row.keys].every(([column, cell]) => cells.get(column) === cell));
  });
}

/** Returns about 3,000 indicators of every kind, with shared addresses, ports and domains. */
function manyIndicators(): Indicator[] {
  const entries: Array<[string, string]> = [];
  for (let n = 0; n < 600; n += 1) {
    const address = `45.${n % 7}.${Math.floor(n / 7) % 250}.${n % 250}`;
    entries.push(['ip:port', `${address}:${n % 3 === 0 ? 4444 : 1024 + n}`]);
    if (n % 4 === 0) entries.push(['ip', `91.${n % 5}.${n % 250}.7`]);
    const parent = ['duckdns.org', 'example.net', 'evil.test'][n % 3]!;
    entries.push(['domain', `n${n}.${parent}`]);
    entries.push(['url', `http://n${n}.${parent}/gate.php?id=${n}`]);
    entries.push(['sha256', n.toString(16).padStart(64, 'a')]);
    entries.push(['md5', n.toString(16).padStart(32, 'b')]);
  }
  return makeIndicators(entries);
}

const isUnder = (host: string, parent: string) => host.endsWith(`.${parent}`);

/** [filter, the indicators whose own hits it surely removes] */
const FILTERS: Array<[string, (indicator: Indicator) => boolean]> = [
  [
    'DestinationHostName endswith ".duckdns.org"',
    (indicator) => indicator.kind === 'domain' && isUnder(indicator.domain, 'duckdns.org'),
  ],
  [
    'DestinationHostName endswith ".net" or RemoteUrl contains ".net"',
    (indicator) =>
      (indicator.kind === 'domain' && isUnder(indicator.domain, 'example.net')) ||
      (indicator.kind === 'url' && isUnder(indicator.host, 'example.net')),
  ],
  [
    'DestinationPort == 4444',
    (indicator) => indicator.kind === 'ip-port' && indicator.port === 4444,
  ],
  [
    'ipv4_is_in_any_range(DestinationIP, "45.3.0.0/16", "91.0.0.0/8")',
    (indicator) =>
      (indicator.kind === 'ip-port' && indicator.address.startsWith('45.3.')) ||
      (indicator.kind === 'ip' && indicator.address.startsWith('91.')),
  ],
  [
    'RemoteIP startswith "45.1."',
    (indicator) => indicator.kind === 'ip-port' && indicator.address.startsWith('45.1.'),
  ],
  [
    `SHA256 startswith "${'a'.repeat(63)}1"`,
    (indicator) => indicator.kind === 'sha256' && indicator.hash.startsWith(`${'a'.repeat(63)}1`),
  ],
];

test('indexed owners match row scan on pack', () => {
  const indicators = manyIndicators();
  assert.ok(indicators.length >= 3000, `${indicators.length} indicators`);
  const hunts = buildHunts(indicators, {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: () => [],
  });
  for (const [filter, removes] of FILTERS) {
    const rows = findRemovedRowKeys(hunts, parseFilterOrThrow(filter));
    const owners = indicatorsOwningRows(indicators, rows).map((indicator) => indicator.value);
    const expected = indicators.filter(removes).map((indicator) => indicator.value);
    assert.ok(expected.length > 0, `${filter} removes some indicator`);
    assert.ok(expected.length < indicators.length, `${filter} keeps some indicator`);
    assert.deepEqual(owners, expected, filter);
    assert.deepEqual(
      owners,
      ownersByScan(indicators, rows).map((indicator) => indicator.value),
      `${filter} by scan`,
    );
  }
});

test('owners compare cells by strict equality', () => {
  const [ipPort, ip, domain] = makeIndicators([
    ['ip:port', '45.9.148.10:4444'],
    ['ip', '45.9.148.11'],
    ['domain', 'evil.test'],
  ]);
  const indicators = [ipPort!, ip!, domain!];
  const row = (cells: Array<[string, IocCell]>): RemovedRowKeys => ({
    keys: new Map(cells),
    label: 'destination',
  });
  /** [case, removed rows, values of the owning indicators] */
  const cases: Array<[string, RemovedRowKeys[], string[]]> = [
    ['address-only row', [row([['IocAddress', '45.9.148.10']])], ['45.9.148.10:4444']],
    [
      'port as text',
      [
        row([
          ['IocAddress', '45.9.148.10'],
          ['IocPort', '4444'],
        ]),
      ],
      [],
    ],
    [
      'port as number',
      [
        row([
          ['IocPort', 4444],
          ['IocAddress', '45.9.148.10'],
        ]),
      ],
      ['45.9.148.10:4444'],
    ],
    [
      'port of another address',
      [
        row([
          ['IocAddress', '45.9.148.11'],
          ['IocPort', 4444],
        ]),
      ],
      [],
    ],
    ['null cell', [row([['IocAddress', null]])], []],
    ['date cell', [row([['IocDomain', new Date(0)]])], []],
    ['no key cells', [row([])], ['45.9.148.10:4444', '45.9.148.11', 'evil.test']],
    [
      'rows of two shapes',
      [row([['IocDomain', 'evil.test']]), row([['IocAddress', '45.9.148.11']])],
      ['45.9.148.11', 'evil.test'],
    ],
  ];
  for (const [name, rows, expected] of cases) {
    const owners = indicatorsOwningRows(indicators, rows).map((indicator) => indicator.value);
    assert.deepEqual(owners, expected, name);
    assert.deepEqual(
      owners,
      ownersByScan(indicators, rows).map((indicator) => indicator.value),
      `${name} by scan`,
    );
  }
});
