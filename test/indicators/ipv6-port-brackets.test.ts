import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { accept, rawIndicator, TEST_SOURCE } from './helpers.js';

test('bare IPv6 ip:port that is also an address', () => {
  const { indicator, warnings } = accept(rawIndicator('ip-port', '2001:db8::1:443'));
  assert.equal(indicator.value, '[2001:db8::1]:443');
  assert.equal(warnings.length, 1);
  const [warning] = warnings;
  assert.equal(warning?.code, 'IPV6_PORT_WITHOUT_BRACKETS');
  assert.equal(warning?.severity, 'warning');
  assert.deepEqual(warning?.source, TEST_SOURCE);
  assert.equal(warning?.value, '2001:db8::1:443');
  assert.match(
    warning?.message ?? '',
    /^Read the ip:port value "2001:db8::1:443" as "\[2001:db8::1\]:443", /,
  );
  assert.match(
    warning?.message ?? '',
    /also a valid IPv6 address, so the feed may mean "2001:db8::1:443" without a port\./,
  );
});

test('bare IPv6 ip:port of nine groups', () => {
  const { indicator, warnings } = accept(rawIndicator('ip-port', '2001:db8:1:2:3:4:5:6:8080'));
  assert.equal(indicator.value, '[2001:db8:1:2:3:4:5:6]:8080');
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['IPV6_PORT_WITHOUT_BRACKETS'],
  );
  assert.doesNotMatch(warnings[0]?.message ?? '', /also a valid IPv6 address/);
});

test('unambiguous ip:port forms get no warning', () => {
  const forms: Array<[string, Parameters<typeof rawIndicator>[2]]> = [
    ['[2001:db8::1]:443', {}],
    ['198.51.100.7:443', {}],
    // A separate port, as MISP ip-dst|port gives it, leaves the whole text the address.
    ['2001:db8::1', { port: 443 }],
    ['2001:db8::1/128', { port: 443 }],
  ];
  for (const [value, extra] of forms) {
    const { warnings } = accept(rawIndicator('ip-port', value, extra));
    const codes = warnings.map((warning) => warning.code);
    assert.ok(!codes.includes('IPV6_PORT_WITHOUT_BRACKETS'), value);
  }
});

test('bare IPv6 ip:port in a feed', async (t) => {
  const folder = makeTempDir('ipv6-port-brackets', t);
  const item = (id: string, ioc: string) =>
    JSON.stringify({ id, ioc, ioc_type: 'ip:port', malware_printable: 'Remcos' });
  const path = join(folder, 'items.ndjson');
  writeFileSync(
    path,
    [
      item('1', '2001:db8::1:443'),
      item('2', '[2001:db8::1]:443'),
      item('3', '2001:db8::1:99999'),
      item('4', '198.51.100.7:443'),
    ].join('\n') + '\n',
  );
  const result = await collectIndicators([path]);
  const { counts } = result;
  assert.equal(counts.rowsRead, 4);
  assert.equal(counts.accepted, 2);
  assert.equal(counts.merged, 1);
  assert.equal(counts.rejected, 1);
  const dropped = Object.values(counts.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(counts.rowsRead, counts.accepted + counts.rejected + counts.merged + dropped);
  const warnings = result.issues.filter((issue) => issue.code === 'IPV6_PORT_WITHOUT_BRACKETS');
  assert.deepEqual(
    warnings.map((issue) => issue.source?.id),
    ['1'],
  );
});
