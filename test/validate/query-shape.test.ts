import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Indicator } from '../../src/indicators/model.js';
import { checkKql } from '../../src/validate/kusto.js';
import { queryShape } from '../../src/validate/query-shape.js';
import { ListProvenance } from '../../src/indicators/provenance.js';

function ipPort(address: string, port: number, family: string, confidence?: number): Indicator {
  return {
    kind: 'ip-port',
    value: `${address}:${port}`,
    address,
    addressFamily: 'ipv4',
    port,
    family: { name: family, aliases: [] },
    threatType: 'botnet_cc',
    confidence,
    firstSeen: new Date('2026-05-13T08:00:00Z'),
    tags: [],
    references: [],
    reporters: [],
    provenance: new ListProvenance([], []),
  };
}

function csl(indicators: Indicator[], family: string): string {
  const hunt = buildHunts(indicators, {
    family,
    familySlug: 'x',
    lookback: { amount: 30, unit: 'd' },
  }).find((candidate) => candidate.id === 'x-sentinel-csl-port-aware')!;
  return compileKql(hunt, { generatorVersion: 'test' });
}

test('queries differing in values share a shape', () => {
  const one = csl([ipPort('45.92.1.175', 5220, 'Remcos', 75)], 'Remcos');
  const many = csl(
    [
      ipPort('203.202.232.22', 3131, 'Agent "x" | take 1', 50),
      ipPort('103.83.87.8', 1515, 'Agent "x" | take 1', 100),
    ],
    'Agent "x" | take 1',
  );
  assert.notEqual(one, many);
  assert.equal(queryShape(one), queryShape(many));
});

test('rows of another shape stay in the shape', () => {
  const shape = queryShape(
    csl([ipPort('45.92.1.175', 5220, 'Remcos', 75), ipPort('1.2.3.4', 80, 'Remcos')], 'Remcos'),
  );
  const rows = shape.split('\n').filter((line) => line.startsWith('    "'));
  assert.deepEqual(rows, [
    '    "", 0, "", 0, datetime(2000-01-01),',
    '    "", 0, "", int(null), datetime(2000-01-01),',
  ]);
});

test('shape keeps verbatim patterns and compiles', () => {
  const query = csl([ipPort('45.92.1.175', 5220, 'Remcos', 75)], 'Remcos');
  const shape = queryShape(query);
  assert.match(shape, /parse_ipv6\(extract\(@"\^\(\[\^\/\]\*\)\$", 1, DestinationIP\)\)/);
  assert.doesNotMatch(shape, /45\.92\.1\.175|Remcos/);
  const errors = checkKql(shape, { platform: 'sentinel', analyzers: false }).filter(
    (item) => item.severity === 'error',
  );
  assert.deepEqual(errors, []);
});

test('malformed row keeps its fault in the shape', () => {
  const query = csl([ipPort('45.92.1.175', 5220, 'Remcos', 75)], 'Remcos').replace(
    ', 75,',
    ', string(null),',
  );
  const errors = checkKql(queryShape(query), { platform: 'sentinel', analyzers: false }).filter(
    (item) => item.severity === 'error',
  );
  assert.ok(errors.length > 0);
});
