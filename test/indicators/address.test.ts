import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBrowserIPv4, parseIPv4, parseIPv6, parsePort } from '../../src/indicators/address.js';
import { isRejection } from '../../src/indicators/rejection.js';
import { accept, canonical, rawIndicator, reject, rejectionCode } from './helpers.js';

test('ip-port splits an unbracketed IPv6 value at the last colon', () => {
  // ThreatFox API item 841508 writes this IPv6 ip:port without brackets.
  const { indicator } = accept(rawIndicator('ip-port', '2a02:cf40:1::5:40669'));
  assert.equal(indicator.kind, 'ip-port');
  if (indicator.kind !== 'ip-port') return;
  assert.equal(indicator.address, '2a02:cf40:1::5');
  assert.equal(indicator.addressFamily, 'ipv6');
  assert.equal(indicator.port, 40669);
  assert.equal(indicator.value, '[2a02:cf40:1::5]:40669');
});

test('ip-port reads bracketed IPv6 and writes RFC 5952 text', () => {
  assert.equal(canonical('ip-port', '[2001:DB8:0:0:0:0:0:1]:443'), '[2001:db8::1]:443');
  assert.equal(canonical('ip-port', '[2001:db8:0:0:1:0:0:1]:80'), '[2001:db8::1:0:0:1]:80');
  assert.equal(canonical('ip-port', '[::]:1'), '[::]:1');
});

test('ip-port reduces IPv4-mapped IPv6 to IPv4', () => {
  assert.equal(canonical('ip-port', '[::ffff:1.2.3.4]:80'), '1.2.3.4:80');
  assert.equal(canonical('ip-port', '[::FFFF:0102:0304]:80'), '1.2.3.4:80');
  const { indicator } = accept(rawIndicator('ip-port', '::ffff:45.92.1.175:5220'));
  assert.equal(indicator.value, '45.92.1.175:5220');
  assert.equal(indicator.kind === 'ip-port' && indicator.addressFamily, 'ipv4');
});

test('ip-port keeps an IPv4-compatible address as IPv6', () => {
  assert.equal(canonical('ip-port', '[::1.2.3.4]:80'), '[::102:304]:80');
});

test('ip-port accepts ports 1 and 65535', () => {
  assert.equal(canonical('ip-port', '45.92.1.175:1'), '45.92.1.175:1');
  assert.equal(canonical('ip-port', '45.92.1.175:65535'), '45.92.1.175:65535');
  assert.equal(canonical('ip-port', '45.92.1.175:0080'), '45.92.1.175:80');
});

test('ip-port rejects port 0', () => {
  for (const value of ['45.92.1.175:0', '45.92.1.175:00', '[2001:db8::1]:0']) {
    const issue = reject(rawIndicator('ip-port', value));
    assert.equal(issue.code, 'INVALID_PORT', value);
    assert.match(issue.message, /port 0 is reserved/, value);
    assert.match(issue.message, /from 1 to 65535/, value);
  }
  const separate = reject(rawIndicator('ip-port', '45.92.1.175', { port: 0 }));
  assert.equal(separate.code, 'INVALID_PORT');
});

test('url rejects port 0', () => {
  assert.equal(rejectionCode('url', 'http://example.com:0/a'), 'INVALID_PORT');
});

test('ip-port rejects ports outside 1 to 65535', () => {
  for (const value of [
    '1.2.3.4:65536',
    '1.2.3.4:-1',
    '1.2.3.4:80a',
    '1.2.3.4:8.5',
    '1.2.3.4:+80',
  ]) {
    assert.equal(rejectionCode('ip-port', value), 'INVALID_PORT', value);
  }
  assert.equal(rejectionCode('ip-port', '1.2.3.4:99999999999999999999'), 'INVALID_PORT');
});

test('ip-port without a port is MISSING_PORT', () => {
  assert.equal(rejectionCode('ip-port', '1.2.3.4'), 'MISSING_PORT');
  assert.equal(rejectionCode('ip-port', '1.2.3.4:'), 'MISSING_PORT');
  assert.equal(rejectionCode('ip-port', '[2001:db8::1]'), 'MISSING_PORT');
  const issue = reject(rawIndicator('ip-port', '2001:db8::1'));
  assert.equal(issue.code, 'MISSING_PORT');
  assert.match(issue.message, /\[address\]:port/);
});

test('ip-port takes a separate port when the value has none', () => {
  assert.equal(
    accept(rawIndicator('ip-port', '1.2.3.4', { port: 8080 })).indicator.value,
    '1.2.3.4:8080',
  );
  const ipv6 = accept(rawIndicator('ip-port', '2001:db8::1', { port: 443 })).indicator;
  assert.equal(ipv6.value, '[2001:db8::1]:443');
  const same = accept(rawIndicator('ip-port', '1.2.3.4:80', { port: 80 })).indicator;
  assert.equal(same.value, '1.2.3.4:80');
});

test('ip-port rejects a separate port that disagrees', () => {
  const issue = reject(rawIndicator('ip-port', '1.2.3.4:80', { port: 81 }));
  assert.equal(issue.code, 'PORT_CONFLICT');
  assert.match(issue.message, /port 80 .* port 81/);
  assert.equal(reject(rawIndicator('ip-port', '1.2.3.4', { port: 70000 })).code, 'INVALID_PORT');
  assert.equal(reject(rawIndicator('ip-port', '1.2.3.4', { port: 1.5 })).code, 'INVALID_PORT');
});

test('ip-port rejects an IPv6 zone id', () => {
  const issue = reject(rawIndicator('ip-port', '[fe80::1%eth0]:443'));
  assert.equal(issue.code, 'IPV6_ZONE_ID');
  assert.match(issue.message, /"fe80::1%eth0"/);
  assert.equal(rejectionCode('ip', 'fe80::1%eth0'), 'IPV6_ZONE_ID');
});

test('ip rejects ambiguous leading-zero octets', () => {
  const issue = reject(rawIndicator('ip', '010.1.1.1'));
  assert.equal(issue.code, 'AMBIGUOUS_IPV4');
  assert.match(issue.message, /"010"/);
  assert.match(issue.message, /octal/);
  assert.match(issue.message, /8\.1\.1\.1/);
  assert.equal(rejectionCode('ip-port', '192.168.01.1:80'), 'AMBIGUOUS_IPV4');
  assert.equal(rejectionCode('ip-port', '[::ffff:010.1.1.1]:80'), 'AMBIGUOUS_IPV4');
  assert.equal(canonical('ip', '0.0.0.0'), '0.0.0.0');
  assert.equal(canonical('ip', '10.0.0.100'), '10.0.0.100');
});

test('ip rejects shorthand and hex IPv4 forms', () => {
  for (const value of [
    '127.1',
    '0x7f.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1..2.3',
    '1.2.3.4.',
  ]) {
    assert.equal(rejectionCode('ip', value), 'INVALID_IP', value);
  }
  assert.match(reject(rawIndicator('ip', '0x7f.0.0.1')).message, /read it as 127\.0\.0\.1/);
});

test('ip writes canonical IPv6 and keeps IPv4 as is', () => {
  assert.equal(canonical('ip', '2001:0DB8::0001'), '2001:db8::1');
  assert.equal(canonical('ip', '[2001:db8::1]'), '2001:db8::1');
  assert.equal(canonical('ip', '::ffff:8.8.8.8'), '8.8.8.8');
  assert.equal(canonical('ip', '  45.92.1.175\t'), '45.92.1.175');
  const { indicator } = accept(rawIndicator('ip', '2001:db8::1'));
  assert.equal(indicator.kind === 'ip' && indicator.addressFamily, 'ipv6');
});

test('ip with a port suggests ip-port', () => {
  const issue = reject(rawIndicator('ip', '1.2.3.4:80'));
  assert.equal(issue.code, 'INVALID_IP');
  assert.match(issue.message, /ip-port/);
});

test('ip warns that a separate port is ignored', () => {
  const { indicator, warnings } = accept(rawIndicator('ip', '1.2.3.4', { port: 80 }));
  assert.equal(indicator.value, '1.2.3.4');
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['PORT_IGNORED'],
  );
});

test('ip rejects a CIDR range', () => {
  const issue = reject(rawIndicator('ip', '45.92.1.0/24'));
  assert.equal(issue.code, 'INVALID_IP');
  assert.match(issue.message, /CIDR range/);
});

test('ip reads a one-address block', () => {
  const cases: Array<[string, string]> = [
    ['45.9.148.21/32', '45.9.148.21'],
    ['2001:DB8::1/128', '2001:db8::1'],
    ['[2001:db8::1]/128', '2001:db8::1'],
    ['::ffff:45.9.148.21/128', '45.9.148.21'],
  ];
  for (const [value, address] of cases) {
    const { indicator, warnings } = accept(rawIndicator('ip', value));
    assert.equal(indicator.value, address, value);
    assert.deepEqual(
      warnings.map((warning) => warning.code),
      ['ONE_ADDRESS_BLOCK'],
    );
    assert.match(warnings[0]!.message, /which contains one address, as the address/);
  }
  for (const value of ['45.9.148.21/31', '45.9.148.21/128', '2001:db8::1/32', '45.9.148.21/032']) {
    assert.equal(rejectionCode('ip', value), 'INVALID_IP', value);
  }
});

test('ip:port reads a one-address block with its port', () => {
  const { indicator, warnings } = accept({
    ...rawIndicator('ip-port', '45.9.149.5/32'),
    port: 443,
  });
  assert.equal(indicator.value, '45.9.149.5:443');
  assert.deepEqual(
    warnings.map((warning) => warning.code),
    ['ONE_ADDRESS_BLOCK'],
  );
  const wider = reject({ ...rawIndicator('ip-port', '45.9.149.0/24'), port: 443 });
  assert.equal(wider.code, 'INVALID_IP');
});

test('ip rejects malformed IPv6', () => {
  for (const value of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::1', 'g::1', '2001:db8::1/64']) {
    assert.equal(rejectionCode('ip', value), 'INVALID_IP', value);
  }
});

test('parseIPv4 returns canonical text or a rejection', () => {
  assert.equal(parseIPv4('255.255.255.255'), '255.255.255.255');
  assert.ok(isRejection(parseIPv4('')));
  assert.ok(isRejection(parseIPv4('1.2.3.4 ')));
  assert.ok(isRejection(parseIPv4('1.2.3.1234')));
});

test('parseIPv6 embeds dotted IPv4 tails', () => {
  assert.deepEqual(parseIPv6('64:ff9b::192.0.2.33'), {
    address: '64:ff9b::c000:221',
    family: 'ipv6',
  });
  assert.ok(isRejection(parseIPv6('::ffff:1.2.3')));
});

test('parsePort rejects empty text', () => {
  assert.ok(isRejection(parsePort('')));
  assert.equal(parsePort('65535'), 65535);
});

test('parseBrowserIPv4 reads WHATWG IPv4 parts', () => {
  const cases: Array<[string, string | undefined]> = [
    ['94.0x4A.164.136', '94.74.164.136'],
    ['0X7f.0x.0.0xff', '127.0.0.255'],
    ['010.0377.00.0', '8.255.0.0'],
    ['1.2.3.4', '1.2.3.4'],
    ['09.1.1.1', undefined],
    ['1.2.3.0x100', undefined],
    ['1.2.3.256', undefined],
    ['127.1', undefined],
    ['3232235777', undefined],
    ['1.2.3.4.5', undefined],
    ['1.2.3.', undefined],
    ['1.2.3.0xg', undefined],
    ['１.2.3.4', undefined],
  ];
  for (const [text, expected] of cases) assert.equal(parseBrowserIPv4(text), expected, text);
});
