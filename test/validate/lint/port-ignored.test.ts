import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indicatorTable, issuesWithCode, lintIssues } from '../../helpers/lint-report.js';

const QUERY = [
  '```kql',
  'DeviceNetworkEvents',
  '| where TimeGenerated > ago(7d)',
  '| where RemoteIP == "45.92.1.175"',
  '```',
];

function portIgnored(lines: string[]): number {
  return issuesWithCode('PORT_IGNORED', lines).length;
}

test('port check flags an ip:port hunted bare', () => {
  const lines = indicatorTable([['ip:port', '45[.]92[.]1[.]175:5220']]);
  assert.equal(portIgnored([...lines, ...QUERY]), 1);
});

test('port check accepts an address listed bare too', () => {
  const lines = indicatorTable([
    ['ip', '45[.]92[.]1[.]175'],
    ['ip:port', '45[.]92[.]1[.]175:5220'],
  ]);
  assert.equal(portIgnored([...lines, ...QUERY]), 0);
});

test('port check skips the set-aside section', () => {
  const lines = [
    '## Indicators',
    '',
    ...indicatorTable([['ip', '45[.]92[.]1[.]175']]),
    ...QUERY,
    '',
    '## Set aside',
    '',
    '- The feed also listed 45[.]92[.]1[.]175:80 last year; that service is gone.',
  ];
  assert.equal(portIgnored(lines), 0);
});

test('port check brackets an IPv6 example', () => {
  const report = [
    ...indicatorTable([['ip:port', '[2a01:4f8:c17:1234::1]:8443']]),
    '```kql',
    'DeviceNetworkEvents',
    '| where TimeGenerated > ago(7d)',
    '| where RemoteIP in ("2a01:4f8:c17:1234::1")',
    '```',
  ];
  const message = issuesWithCode('PORT_IGNORED', report)[0]?.message ?? '';
  assert.ok(message.includes('([2a01:4f8:c17:1234::1]:8443)'), message);
});

/** Returns the indicator table of `values`, each an ip:port indicator. */
function ipPortTable(values: readonly string[]): string[] {
  return indicatorTable(values.map((value): [string, string] => ['ip:port', value]));
}

/** Lints a report and returns its findings about ports, whose codes start with PORT_. */
function portIssues(report: readonly string[]) {
  return lintIssues(report).filter((issue) => issue.code.startsWith('PORT_'));
}

/** Lints the listed indicators and one Defender query ending in `where`. */
function portFindings(indicators: string[], where: string) {
  const report = [
    ...ipPortTable(indicators),
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    where,
    '```',
  ];
  return portIssues(report);
}

test('port of the other end', () => {
  const cases: Array<[string, string, string]> = [
    ['| where RemoteIP == "45.9.148.10" and LocalPort == 4444', 'LocalPort', 'RemotePort'],
    [
      '| where DestinationIP == "45.9.148.10" and SourcePort == 4444',
      'SourcePort',
      'DestinationPort',
    ],
    [
      '| where SourceIP == "45.9.148.10" and DestinationPort in (4444)',
      'DestinationPort',
      'SourcePort',
    ],
    [
      '| where DstIpAddr == "45.9.148.10" and SrcPortNumber == 4444',
      'SrcPortNumber',
      'DstPortNumber',
    ],
  ];
  for (const [where, compared, own] of cases) {
    const findings = portFindings(['45[.]9[.]148[.]10:4444'], where);
    assert.deepEqual(
      findings.map((issue) => [issue.code, issue.source?.line, issue.source?.column]),
      [['PORT_WRONG_END', 8, where.indexOf(compared) + 1]],
      where,
    );
    const message = findings[0]?.message ?? '';
    assert.ok(message.startsWith(`Query at lines 6-8 compares ${compared} with 4444,`), message);
    assert.ok(message.includes(`whose port is ${own}.`), message);
    assert.ok(message.includes('misses 45.9.148.10:4444.'), message);
    assert.ok(message.endsWith(`Compare ${own} == 4444 in its place.`), message);
  }
  // The address's own end, in either direction, passes.
  const paired = [
    '| where RemoteIP == "45.9.148.10" and RemotePort == 4444',
    '| where SourceIP == "45.9.148.10" and SourcePort == 4444',
    '| where (RemoteIP == "45.9.148.10" and RemotePort == 4444) and LocalPort > 1024',
  ];
  for (const where of paired) {
    assert.deepEqual(portFindings(['45[.]9[.]148[.]10:4444'], where), [], where);
  }
});

test('address or port matches any address', () => {
  const joined = [
    '| where RemoteIP == "45.9.148.10" or RemotePort == 4444',
    '| where RemotePort == 4444 or RemoteIP in ("45.9.148.10")',
    '| where (RemoteIP == "45.9.148.10" or RemotePort in (4444, 80))',
  ];
  for (const where of joined) {
    const findings = portFindings(['45[.]9[.]148[.]10:4444'], where);
    assert.deepEqual(
      findings.map((issue) => [issue.code, issue.source?.line, issue.source?.column]),
      [['PORT_ANY_ADDRESS', 8, where.indexOf('RemotePort') + 1]],
      where,
    );
    const message = findings[0]?.message ?? '';
    assert.ok(
      message.startsWith('Query at lines 6-8 keeps every connection on port 4444,'),
      message,
    );
    assert.ok(message.includes('not only 45.9.148.10:4444.'), message);
    assert.ok(
      message.endsWith('Join them with and: RemoteIP == "45.9.148.10" and RemotePort == 4444.'),
      message,
    );
  }
  // Each address with its own port, joined with or, is a sound hunt of two indicators.
  const pairs =
    '| where (RemoteIP == "45.9.148.10" and RemotePort == 4444) or ' +
    '(RemoteIP == "2.27.17.179" and RemotePort == 8080)';
  assert.deepEqual(portFindings(['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'], pairs), []);
});

test('port of another listed address', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'];
  const swapped =
    '| where (RemoteIP == "45.9.148.10" and RemotePort == 8080) or ' +
    '(RemoteIP == "2.27.17.179" and RemotePort == 4444)';
  const crossed =
    '| where RemoteIP in ("45.9.148.10", "2.27.17.179") and RemotePort in (4444, 8080)';
  const cases: Array<[string, string[], string]> = [
    [
      swapped,
      ['PORT_NOT_COMPARED', 'PORT_SWAPPED'],
      'The query pairs those addresses with ports of other addresses.',
    ],
    [
      crossed,
      ['PORT_SWAPPED'],
      'The query compares the addresses and the ports separately, so each address also ' +
        'matches on the ports of the others.',
    ],
  ];
  for (const [where, codes, cause] of cases) {
    const findings = portFindings(indicators, where);
    assert.deepEqual(
      findings.map((issue) => issue.code),
      codes,
      where,
    );
    const finding = findings.find((issue) => issue.code === 'PORT_SWAPPED');
    assert.equal(finding?.source?.line, 9, where);
    assert.equal(finding?.source?.column, where.indexOf('RemotePort') + 1, where);
    const message = finding?.message ?? '';
    assert.ok(
      message.startsWith(
        'Query at lines 7-9 matches 45.9.148.10:8080 and 2.27.17.179:4444, which the report ' +
          'does not list: it lists port 8080 for 2.27.17.179 and port 4444 for 45.9.148.10.',
      ),
      message,
    );
    assert.ok(message.includes(cause), message);
    assert.ok(
      message.endsWith(
        'Replace those comparisons with: (RemoteIP == "45.9.148.10" and RemotePort == 4444) ' +
          'or (RemoteIP == "2.27.17.179" and RemotePort == 8080).',
      ),
      message,
    );
  }
  // A port that the report lists for both addresses is no swap.
  const shared = ['45[.]9[.]148[.]10:443', '2[.]27[.]17[.]179:443'];
  const both = '| where RemoteIP in ("45.9.148.10", "2.27.17.179") and RemotePort == 443';
  assert.deepEqual(portFindings(shared, both), []);
});

test('swapped ports rewrite by port', () => {
  const indicators = [
    '45[.]9[.]148[.]10:4444',
    '45[.]9[.]148[.]11:4444',
    '2[.]27[.]17[.]179:8080',
    '2[.]27[.]17[.]179:8443',
  ];
  const where =
    '| where DestinationIP in ("45.9.148.10", "45.9.148.11", "2.27.17.179") ' +
    'and DestinationPort in (4444, 8080, 8443)';
  const findings = portFindings(indicators, where);
  assert.deepEqual(
    findings.map((issue) => issue.code),
    ['PORT_SWAPPED'],
  );
  const message = findings[0]?.message ?? '';
  // The two 45.9.148.x addresses are kept on 8080 and 8443 and 2.27.17.179 on 4444: 5 pairs.
  assert.ok(
    message.includes(
      'matches 45.9.148.10:8080, 45.9.148.11:8080, 2.27.17.179:4444 and 2 more pairs,',
    ),
    message,
  );
  // Each port is named once, though two addresses are kept on it.
  assert.ok(
    message.includes('it lists port 8080 for 2.27.17.179 and port 4444 for 45.9.148.10.'),
    message,
  );
  assert.ok(
    message.endsWith(
      'Replace those comparisons with: (DestinationIP in ("45.9.148.10", "45.9.148.11") and ' +
        'DestinationPort == 4444) or (DestinationIP == "2.27.17.179" and ' +
        'DestinationPort in (8080, 8443)).',
    ),
    message,
  );
});

test('many swapped ports advise a lookup', () => {
  const addresses = ['45.9.148.10', '45.9.148.11', '45.9.148.12', '45.9.148.13', '45.9.148.14'];
  const indicators = addresses.map(
    (address, index) => `${address.replaceAll('.', '[.]')}:${4440 + index}`,
  );
  const where =
    `| where RemoteIP in (${addresses.map((address) => `"${address}"`).join(', ')}) ` +
    'and RemotePort in (4440, 4441, 4442, 4443, 4444)';
  const findings = portFindings(indicators, where);
  assert.deepEqual(
    findings.map((issue) => issue.code),
    ['PORT_SWAPPED'],
  );
  const message = findings[0]?.message ?? '';
  // Each of the 5 addresses is kept on the 4 ports of the others: 20 pairs, 3 of them shown.
  assert.ok(message.includes('45.9.148.12:4440 and 17 more pairs, which the report'), message);
  assert.ok(
    message.endsWith(
      'lookup kind=inner (Iocs) on $left.RemoteIP == $right.IocAddress, ' +
        '$left.RemotePort == $right.IocPort.',
    ),
    message,
  );
});

test('port compared with between', () => {
  const pinned = [
    '| where RemoteIP == "45.9.148.10" and RemotePort between (4444 .. 4444)',
    '| where RemoteIP == "45.9.148.10" and RemotePort between(4440..4450)',
  ];
  for (const where of pinned) {
    assert.deepEqual(portFindings(['45[.]9[.]148[.]10:4444'], where), [], where);
  }
  const wrongRange = '| where RemoteIP == "45.9.148.10" and RemotePort between (8000 .. 8080)';
  assert.deepEqual(
    portFindings(['45[.]9[.]148[.]10:4444'], wrongRange).map((issue) => issue.code),
    ['PORT_NOT_COMPARED'],
  );
  // Every port but the well-known ones keeps the address on the dynamic ports too.
  const highPorts = '| where RemoteIP == "45.9.148.10" and not(RemotePort between (1 .. 1024))';
  assert.deepEqual(
    portFindings(['45[.]9[.]148[.]10:4444'], highPorts).map((issue) => issue.code),
    ['PORT_IGNORED'],
  );
  const excluding = [
    '| where RemoteIP == "45.9.148.10" and not(RemotePort between (4440 .. 4450))',
    '| where RemoteIP == "45.9.148.10" and RemotePort !between (4444 .. 4444)',
  ];
  // As with `RemotePort != 4444`, the address is kept on every other port too, which the one
  // PORT_EXCLUDED finding states.
  for (const where of excluding) {
    const findings = portFindings(['45[.]9[.]148[.]10:4444'], where);
    assert.deepEqual(
      findings.map((issue) => issue.code),
      ['PORT_EXCLUDED'],
      where,
    );
    const excluded = findings.find((issue) => issue.code === 'PORT_EXCLUDED');
    assert.equal(excluded?.source?.line, 8, where);
    assert.equal(excluded?.source?.column, where.indexOf('and ') + 5, where);
    const message = excluded?.message ?? '';
    assert.ok(message.includes('removes port 4444'), message);
    assert.ok(message.includes('(45.9.148.10:4444)'), message);
    assert.ok(message.includes('also matches 45.9.148.10 on every other port'), message);
  }
});

test('IPv4-mapped address is the listed one', () => {
  const indicators = ['45[.]9[.]148[.]10:4444'];
  const cases: Array<[string, string[]]> = [
    ['| where RemoteIP == "::ffff:45.9.148.10"', ['PORT_IGNORED']],
    ['| where RemoteIP == "::FFFF:45.9.148.10" and RemotePort == 8080', ['PORT_NOT_COMPARED']],
    ['| where RemoteIP =~ "::ffff:45.9.148.10" and LocalPort == 4444', ['PORT_WRONG_END']],
    ['| where RemoteIP == "::ffff:2d09:940a" and RemotePort == 4444', []],
    ['| where RemoteIP == "::ffff:45.9.148.10" and RemotePort == 4444', []],
    ['| where RemoteIP in ("45.9.148.10", "::ffff:45.9.148.10") and RemotePort == 4444', []],
  ];
  for (const [where, codes] of cases) {
    assert.deepEqual(
      portFindings(indicators, where).map((issue) => issue.code),
      codes,
      where,
    );
  }
  const message = portFindings(indicators, cases[0]?.[0] ?? '')[0]?.message ?? '';
  assert.ok(message.includes('(45.9.148.10:4444) on any port'), message);
});

test('local port in place of remote', () => {
  const cases: Array<[string, string]> = [
    ['| where RemoteIP in ("45.9.148.10") and LocalPort in (4444, 8080)', 'LocalPort'],
    ['| where RemoteIP == "45.9.148.10" and (LocalPort == 4444 or LocalPort == 4445)', 'LocalPort'],
    ['| where RemoteIP == "45.9.148.10" and LocalPort between (4444 .. 4444)', 'LocalPort'],
    ['| where RemoteIP == "::ffff:45.9.148.10" and LocalPort == 4444', 'LocalPort'],
    ['| where RemoteIP == "45.9.148.10" and toint(LocalPort) == 4444', 'LocalPort'],
    ['| where DestinationIp == "45.9.148.10" and SourcePort == 4444', 'SourcePort'],
  ];
  for (const [where, compared] of cases) {
    const findings = portFindings(['45[.]9[.]148[.]10:4444'], where);
    assert.deepEqual(
      findings.map((issue) => [issue.code, issue.source?.column]),
      [['PORT_WRONG_END', where.indexOf(compared) + 1]],
      where,
    );
  }
  // A conversion of the remote port still compares the listed port.
  const converted = '| where RemoteIP == "45.9.148.10" and tolong(RemotePort) == 4444';
  assert.deepEqual(portFindings(['45[.]9[.]148[.]10:4444'], converted), [], converted);
});

test('let lists of addresses and ports', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'];
  const report = [
    ...ipPortTable(indicators),
    '```kql',
    'let c2 = dynamic(["45.9.148.10", "2.27.17.179"]);',
    'let c2_ports = dynamic([4444, 8080]);',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '| where RemoteIP in (c2) and RemotePort in (c2_ports)',
    '```',
    '',
    '```kql',
    'let c2 = dynamic(["45.9.148.10"]);',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '| where RemoteIP in (c2) and LocalPort == 4444',
    '```',
  ];
  const findings = portIssues(report);
  assert.deepEqual(
    findings.map((issue) => [issue.code, issue.source?.line]),
    [
      ['PORT_SWAPPED', 11],
      ['PORT_WRONG_END', 18],
    ],
  );
  const message = findings[0]?.message ?? '';
  assert.ok(message.includes('matches 45.9.148.10:8080 and 2.27.17.179:4444,'), message);
});

test('let list of excluded ports', () => {
  const where = '| where RemoteIP == "45.9.148.10" and RemotePort !in (blocked)';
  const report = [
    ...ipPortTable(['45[.]9[.]148[.]10:4444']),
    '```kql',
    'let blocked = dynamic([4444, 8080]);',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    where,
    '```',
  ];
  const findings = portIssues(report);
  assert.deepEqual(
    findings.map((issue) => [issue.code, issue.source?.line]),
    [['PORT_EXCLUDED', 9]],
  );
  const message = findings[0]?.message ?? '';
  assert.ok(message.includes('removes port 4444'), message);
  assert.ok(message.includes('compare RemotePort == 4444 to hunt 45.9.148.10:4444'), message);
});

test('swapped rewrite keeps sound pairs', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080', '103[.]83[.]87[.]8:1515'];
  const where =
    '| where (RemoteIP in ("45.9.148.10", "2.27.17.179") and RemotePort in (4444, 8080)) or ' +
    '(RemoteIP == "103.83.87.8" and RemotePort == 1515)';
  const findings = portFindings(indicators, where);
  assert.deepEqual(
    findings.map((issue) => issue.code),
    ['PORT_SWAPPED'],
  );
  const message = findings[0]?.message ?? '';
  assert.ok(
    message.endsWith(
      'Replace those comparisons with: (RemoteIP == "45.9.148.10" and RemotePort == 4444) or ' +
        '(RemoteIP == "2.27.17.179" and RemotePort == 8080) or ' +
        '(RemoteIP == "103.83.87.8" and RemotePort == 1515).',
    ),
    message,
  );
  // An address compared with the port of the other end is hunted too, on its own port.
  const wrongEnd = where.replace('RemotePort == 1515', 'LocalPort == 1515');
  const withWrongEnd = portFindings(indicators, wrongEnd);
  assert.deepEqual(
    withWrongEnd.map((issue) => issue.code),
    ['PORT_WRONG_END', 'PORT_SWAPPED'],
  );
  const rewrite = withWrongEnd[1]?.message ?? '';
  assert.ok(rewrite.endsWith('or (RemoteIP == "103.83.87.8" and RemotePort == 1515).'), rewrite);
});

test('swapped rewrite keeps both ends', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'];
  const where =
    '| where (DestinationIP in ("45.9.148.10", "2.27.17.179") and ' +
    'DestinationPort in (4444, 8080)) or ' +
    '(SourceIP in ("45.9.148.10", "2.27.17.179") and SourcePort in (4444, 8080))';
  const findings = portFindings(indicators, where);
  assert.deepEqual(
    findings.map((issue) => issue.code),
    ['PORT_SWAPPED'],
  );
  const message = findings[0]?.message ?? '';
  assert.ok(
    message.endsWith(
      'Replace those comparisons with: ' +
        '(DestinationIP == "45.9.148.10" and DestinationPort == 4444) or ' +
        '(DestinationIP == "2.27.17.179" and DestinationPort == 8080) or ' +
        '(SourceIP == "45.9.148.10" and SourcePort == 4444) or ' +
        '(SourceIP == "2.27.17.179" and SourcePort == 8080).',
    ),
    message,
  );
});

test('swapped rewrite keeps address spellings', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'];
  const cases: Array<[string, string]> = [
    [
      '| where RemoteIP in ("::ffff:45.9.148.10", "2.27.17.179") and RemotePort in (4444, 8080)',
      '(RemoteIP == "::ffff:45.9.148.10" and RemotePort == 4444) or ',
    ],
    [
      '| where RemoteIP in ("::ffff:45.9.148.10", "45.9.148.10", "2.27.17.179") and ' +
        'RemotePort in (4444, 8080)',
      '(RemoteIP in ("::ffff:45.9.148.10", "45.9.148.10") and RemotePort == 4444) or ',
    ],
  ];
  for (const [where, first] of cases) {
    const message = portFindings(indicators, where)[0]?.message ?? '';
    assert.ok(
      message.endsWith(
        `Replace those comparisons with: ${first}` +
          '(RemoteIP == "2.27.17.179" and RemotePort == 8080).',
      ),
      message,
    );
  }
});

test('swapped rewrite keeps unlisted pairs', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'];
  const where =
    '| where RemoteIP in ("45.9.148.10", "2.27.17.179", "8.8.8.8") and ' +
    'RemotePort in (4444, 8080, 53)';
  const message = portFindings(indicators, where)[0]?.message ?? '';
  assert.ok(
    message.includes(
      'The query also compares 8.8.8.8, which the report does not list, and the rewrite keeps ' +
        '8.8.8.8 on port 53 only.',
    ),
    message,
  );
  assert.ok(
    message.endsWith(
      'Replace those comparisons with: (RemoteIP == "45.9.148.10" and RemotePort == 4444) or ' +
        '(RemoteIP == "2.27.17.179" and RemotePort == 8080) or ' +
        '(RemoteIP == "8.8.8.8" and RemotePort == 53).',
    ),
    message,
  );
});

test('swapped count is of pairs', () => {
  const addresses = ['45.9.148.10', '45.9.148.11', '45.9.148.12', '45.9.148.13'];
  const indicators = addresses.map(
    (address, index) => `${address.replaceAll('.', '[.]')}:${4440 + index}`,
  );
  const where =
    `| where RemoteIP in (${addresses.map((address) => `"${address}"`).join(', ')}) ` +
    'and RemotePort in (4440, 4441, 4442, 4443)';
  const message = portFindings(indicators, where)[0]?.message ?? '';
  // Each of the 4 addresses is kept on the 3 ports of the others: 12 pairs, 3 of them shown.
  assert.ok(message.includes('45.9.148.12:4440 and 9 more pairs, which the report'), message);
});

test('anti-join side is no port filter', () => {
  const indicators = ['45[.]9[.]148[.]10:4444', '2[.]27[.]17[.]179:8080'];
  const pairs =
    '| where (RemoteIP == "45.9.148.10" and RemotePort == 4444) or ' +
    '(RemoteIP == "2.27.17.179" and RemotePort == 8080)';
  for (const kind of ['leftanti', 'anti', 'rightanti', 'leftantisemi']) {
    const where = `${pairs}\n| join kind=${kind} (DeviceNetworkEvents | where RemotePort == 443) on DeviceId`;
    assert.deepEqual(portFindings(indicators, where), [], kind);
  }
});

test('or of address and port pairs', () => {
  // `and` binds tighter than `or`, so each address is compared with its own port.
  const lines = [
    'Indicators: 45[.]9[.]148[.]10:4444, 2[.]27[.]17[.]179:8080',
    '',
    '```kql',
    'DeviceNetworkEvents',
    '| where Timestamp > ago(7d)',
    '| where RemoteIP == "45.9.148.10" and RemotePort == 4444',
    '    or RemoteIP == "2.27.17.179" and RemotePort == 8080',
    '```',
  ];
  assert.deepEqual(
    lintIssues(lines).map((issue) => issue.code),
    [],
  );
});
