import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import type { HuntFinding } from '../../src/hunt/findings.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { createLogReadStats, type LogReadStats } from '../../src/hunt/logs/log-stats.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeFinding, makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const OPTIONS = { title: 'Remcos', logs: ['fw.log'], window: 'none', generatorVersion: '0.0.0' };

/** Returns a finding of a connection from its own host to its own indicator. */
function finding(index: number, columns: HuntFinding['columns'] = {}): HuntFinding {
  const value = `198.51.${Math.floor(index / 256) % 256}.${index % 256}:443`;
  return makeFinding(index, { indicator: { value, family: 'Remcos' }, columns });
}

function result(findings: HuntFinding[], stats: LogReadStats = createLogReadStats()) {
  stats.linesRead = stats.eventsParsed = findings.length;
  return {
    findings,
    stats,
    huntsRun: ['remcos-sentinel-csl-port-aware'],
    skipped: [],
    eventsByTable: { CommonSecurityLog: findings.length },
    eventsOutsideWindow: 0,
    eventsWithoutTime: 0,
  };
}

describe('renderHuntReport', () => {
  it('writes 200,000 findings', () => {
    const findings = Array.from({ length: 200_000 }, (_, index) => finding(index));
    const text = renderHuntReport(result(findings), OPTIONS);
    assert.match(
      text,
      /## Findings: 200000 hits\n\n200000 hits in 200000 events, with 200000 findings\./,
    );
    // Every host and indicator gets a summary row, but the timeline stops at 1,000 rows.
    assert.equal(text.match(/^\| `host-\d+` \|/gm)?.length, 200_000);
    assert.match(text, /\n199000 more findings are not listed;/);
  });

  it('escapes control characters in every value', () => {
    const esc = '\x1b[2J';
    const findings = [
      {
        ...finding(0, { RequestURL: `http://x.test/${esc}`, DeviceAction: 'allow\x07' }),
        host: `host${esc}`,
        file: `fw${esc}.log`,
        huntId: `hunt${esc}`,
      },
    ];

    const stats = createLogReadStats();
    stats.fieldWarnings = 1;
    stats.fieldWarningsByReason = { INVALID_PORT: 1 };
    stats.warnings = [
      {
        code: 'INVALID_PORT',
        severity: 'warning',
        message: `Invalid port ${esc}`,
        source: { file: `fw${esc}.log`, line: 3 },
      },
    ];
    stats.fileErrors = [{ code: 'READ_FAILED', severity: 'error', message: `Cannot read ${esc}` }];

    const text = renderHuntReport(
      { ...result(findings, stats), skipped: [{ huntId: `other${esc}`, reason: `none${esc}` }] },
      { ...OPTIONS, title: `Remcos${esc}`, logs: [`fw${esc}.log`], window: `30d${esc}` },
    );

    // eslint-disable-next-line no-control-regex -- the report must contain no control character
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    assert.match(text, /^# Hunt report: Remcos\\\\x1b\[2J\n/);
    assert.match(text, /- Paths: `fw\\x1b\[2J\.log`/);
    // Defanging comes first, so the escapes apply to the defanged URL.
    assert.match(text, /RequestURL=hxxp:\/\/x\[\.\]test\/\\x1b\[2J DeviceAction=allow\\x07`/);
    assert.match(text, /Invalid port \\\\x1b\[2J/);
  });

  it('writes log values as code spans', () => {
    const url = 'http://a.test/x|y<img src=x onerror=alert(1)>**b**[l](javascript:alert(1))';
    const findings = [{ ...finding(0, { RequestURL: url, DeviceAction: '_allow_' }), host: '*h*' }];
    const text = renderHuntReport(result(findings, createLogReadStats()), OPTIONS);
    const row = text.split('\n').find((line) => line.includes('RequestURL='));
    assert.ok(row !== undefined, text);
    // The event is one code span, in which Markdown renders no link, emphasis or HTML.
    assert.ok(
      row.includes(
        '| `RequestURL=hxxp://a[.]test/x\\|y<img src=x onerror=alert(1)>**b**[l](javascript:alert(1)) DeviceAction=_allow_` |',
      ),
      row,
    );
    assert.ok(row.includes('| `*h*` |'), row);
  });
});

describe('renderHuntReport defanging', () => {
  const URL_IOC = 'http://195.133.9.138/final/random.exe';
  const DOMAIN_IOC = 'leberinda.pro';
  const C2 = { address: '45.92.1.175', port: 5220 };
  const CEF_HEAD = 'CEF:0|Acme|Proxy|1.0|1|Conn|5|';
  const TIME = 'rt=1775001600000';

  /** Hunts a planted CEF log with a URL, a domain and an ip:port hit, and renders the report. */
  async function plantedReport(t: TestContext): Promise<string> {
    const hunts = buildHunts(
      makeIndicators([
        ['url', URL_IOC],
        ['domain', DOMAIN_IOC],
        ['ip:port', `${C2.address}:${C2.port}`],
      ]),
      {
        family: 'Remcos',
        familySlug: 'remcos',
        lookback: { amount: 30, unit: 'd' },
        exclusionsFor: defaultExclusions,
      },
    );
    const log = join(makeTempDir('hunt-report', t), 'proxy.log');
    const lines = [
      `src=10.1.1.5 spt=50001 dst=195.133.9.138 dpt=80 request=${URL_IOC} act=allow ${TIME}`,
      `src=10.1.1.6 spt=50002 dst=192.0.2.80 dpt=443 dhost=${DOMAIN_IOC} request=https://${DOMAIN_IOC}/gate.php act=allow ${TIME}`,
      `src=10.1.1.7 spt=50003 dst=${C2.address} dpt=${C2.port} act=allow ${TIME}`,
      `src=${C2.address} spt=${C2.port} dst=10.1.1.8 dpt=3389 act=allow ${TIME}`,
    ];
    await writeFile(log, lines.map((line) => CEF_HEAD + line).join('\n') + '\n');
    const result = await huntLogs(hunts, [log]);
    assert.equal(result.stats.linesRejected, 0);
    return renderHuntReport(result, OPTIONS);
  }

  it('writes indicators and remote event values defanged', async (t) => {
    const text = await plantedReport(t);
    // The URL of line 1 is on an address, so its URL, port-aware and address-only hunts all
    // match line 1. The domain hunt matches line 2 on two columns, which is one finding, and
    // the port-aware and address-only hunts both match lines 3 and 4. Each line is one hit.
    assert.match(text, /## Findings: 4 hits\n\n4 hits in 4 events, with 8 findings\./);
    assert.match(text, /remcos-sentinel-csl-domain \(DestinationHostName, RequestURL\)/);
    assert.match(text, /^\| `leberinda\[\.\]pro` \| 1 \| 1 \|/m);
    for (const defanged of [
      'hxxp://195[.]133[.]9[.]138/final/random.exe',
      'leberinda[.]pro',
      'hxxps://leberinda[.]pro/gate.php',
      '45[.]92[.]1[.]175:5220',
      '45[.]92[.]1[.]175',
      'DestinationHostName=leberinda[.]pro',
      'RequestURL=hxxp://195[.]133[.]9[.]138/final/random.exe',
      '10.1.1.7:50003 -> 45[.]92[.]1[.]175:5220',
      '45[.]92[.]1[.]175:5220 -> 10.1.1.8:3389',
    ]) {
      assert.ok(text.includes(defanged), `missing ${defanged}`);
    }
    for (const live of ['195.133.9.138', 'leberinda.pro', '45.92.1.175', 'http://', 'https://']) {
      assert.ok(!text.includes(live), `live ${live} in:\n${text}`);
    }
  });

  it('defangs IPv6, URL parts and DNS names', () => {
    const findings = [
      makeFinding(0, {
        table: 'DeviceNetworkEvents',
        matchedOn: 'remote',
        indicator: { value: '[2001:db8::7]:8080', family: 'Remcos' },
        columns: {
          LocalIP: '10.0.0.5',
          LocalPort: 50000,
          RemoteIP: '2001:db8::7',
          RemotePort: 8080,
          RemoteUrl: 'HTTPS://user@Evil.Example:8443/a.b?next=http://x.test/',
        },
      }),
      makeFinding(1, {
        table: 'DeviceNetworkEvents',
        variant: 'address-only',
        matchedOn: 'remote',
        indicator: { value: '2001:db8::7', family: 'Remcos' },
        columns: { RemoteIP: '2001:db8::7', RemoteUrl: 'drop.example:443' },
      }),
      makeFinding(2, {
        table: 'DnsEvents',
        variant: 'domain',
        matchedOn: 'Name',
        indicator: { value: 'evil.example', family: 'Remcos' },
        columns: { ClientIP: '10.0.0.9', Name: 'a.evil.example' },
      }),
      makeFinding(3, {
        variant: 'url',
        matchedOn: 'RequestURL',
        indicator: { value: 'http://[2001:db8::9]:8080/p', family: 'Remcos' },
        columns: { RequestURL: 'http://[2001:db8::9]:8080/p' },
      }),
      makeFinding(4, {
        variant: 'url',
        matchedOn: 'RequestURL',
        indicator: { value: 'http://a.example/r?u=http://b.example/x', family: 'Remcos' },
      }),
      makeFinding(5, {
        variant: 'hash',
        matchedOn: 'SHA256',
        indicator: { value: 'ab'.repeat(32), family: 'Remcos' },
      }),
    ];

    const text = renderHuntReport(result(findings), OPTIONS);
    const rows = text.split('\n').filter((line) => line.startsWith('| 2026-'));
    assert.equal(rows.length, 6);
    assert.ok(rows[0]!.includes('| `[2001[:]db8[:][:]7]:8080` |'), rows[0]);
    assert.ok(rows[0]!.includes('10.0.0.5:50000 -> [2001[:]db8[:][:]7]:8080 '), rows[0]);
    assert.ok(
      rows[0]!.includes('RemoteUrl=HXXPS://user@Evil[.]Example:8443/a.b?next=hxxp://x[.]test/'),
      rows[0],
    );
    assert.ok(rows[1]!.includes('| `[2001[:]db8[:][:]7]` |'), rows[1]);
    assert.ok(rows[1]!.includes('? -> [2001[:]db8[:][:]7] RemoteUrl=drop[.]example:443'), rows[1]);
    assert.ok(rows[2]!.includes('| `evil[.]example` |'), rows[2]);
    assert.ok(rows[2]!.includes('Name=a[.]evil[.]example'), rows[2]);
    assert.ok(rows[3]!.includes('| `hxxp://[2001[:]db8[:][:]9]:8080/p` |'), rows[3]);
    assert.ok(rows[3]!.includes('RequestURL=hxxp://[2001[:]db8[:][:]9]:8080/p'), rows[3]);
    assert.ok(rows[4]!.includes('| `hxxp://a[.]example/r?u=hxxp://b[.]example/x` |'), rows[4]);
    assert.ok(rows[5]!.includes(`| \`${'ab'.repeat(32)}\` |`), rows[5]);
    assert.match(
      text,
      /\| `host-1` \| 1 \| 1 \| [^|]+ \| [^|]+ \| `\[2001\[:\]db8\[:\]\[:\]7\]` \|/,
    );
  });

  it('defangs the source address of a hit on the source', () => {
    const findings = [
      makeFinding(0, {
        matchedOn: 'source',
        indicator: { value: '45.92.1.175:5220', family: 'Remcos' },
        host: '10.1.1.8',
        columns: {
          SourceIP: '45.92.1.175',
          SourcePort: 5220,
          DestinationIP: '10.1.1.8',
          DestinationPort: 3389,
        },
      }),
    ];
    const text = renderHuntReport(result(findings), OPTIONS);
    assert.ok(text.includes('| `45[.]92[.]1[.]175:5220 -> 10.1.1.8:3389` |'), text);
    assert.ok(text.includes('| `10.1.1.8` | `45[.]92[.]1[.]175:5220` |'), text);
    assert.ok(!text.includes('45.92.1.175'), text);
  });

  it('defangs host names on internal sides', () => {
    const findings = [
      makeFinding(0, {
        matchedOn: 'source',
        indicator: { value: '45.92.1.175:5220', family: 'Remcos' },
        host: 'web01.corp.example',
        columns: {
          SourceIP: '45.92.1.175',
          SourcePort: 5220,
          DestinationIP: '10.1.1.8',
          DestinationPort: 3389,
          DestinationHostName: 'web01.corp.example',
        },
      }),
      makeFinding(1, {
        table: 'DeviceNetworkEvents',
        matchedOn: 'remote',
        indicator: { value: '45.92.1.175:5220', family: 'Remcos' },
        host: 'WS1',
        columns: { LocalIP: '10.1.1.9', RemoteIP: '45.92.1.175', RemotePort: 5220 },
      }),
    ];
    const text = renderHuntReport(result(findings), OPTIONS);
    assert.ok(!text.includes('web01.corp.example'), text);
    assert.ok(text.includes('| `web01[.]corp[.]example` | 1 | 1 |'), text);
    assert.ok(text.includes('DestinationHostName=web01[.]corp[.]example'), text);
    // A name of one label has no dot to defang.
    assert.ok(text.includes('| `WS1` | 1 | 1 |'), text);
  });
});
