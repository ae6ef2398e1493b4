/**
 * A row derived from another indicator, such as the host of a URL in the domain hunts, names
 * that indicator in its findings, with the form the event matched beside it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { indicatorText } from '../../src/hunt/findings.js';
import { formatFindingsCsv } from '../../src/hunt/format-findings.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const hunts = buildHunts(
  makeIndicators([
    ['url', 'http://195.133.9.138/final/random.exe'],
    ['url', 'https://evil-payload.xyz/gate.php'],
    ['domain', 'leberinda.pro'],
    ['url', 'https://shared-c2.xyz/a'],
    ['url', 'https://shared-c2.xyz/b'],
  ]),
  { family: 'Remcos', familySlug: 'remcos', lookback: { amount: 30, unit: 'd' } },
);

const CEF = [
  'CEF:0|Fortinet|FortiGate|7.0|1|traffic|3|rt=1775000000000 src=10.1.1.5 spt=50000 dst=195.133.9.138 dpt=80 act=accept',
  'CEF:0|Fortinet|FortiGate|7.0|1|traffic|3|rt=1775000000000 src=10.1.1.6 spt=50000 dst=5.5.5.5 dpt=443 dhost=evil-payload.xyz act=accept',
  'CEF:0|Fortinet|FortiGate|7.0|1|traffic|3|rt=1775000000000 src=10.1.1.7 spt=50000 dst=5.5.5.6 dpt=443 dhost=leberinda.pro act=accept',
  'CEF:0|Fortinet|FortiGate|7.0|1|traffic|3|rt=1775000000000 src=10.1.1.8 spt=50000 dst=5.5.5.7 dpt=443 dhost=shared-c2.xyz act=accept',
];

describe('findings of derived rows', () => {
  // Line 4 meets a host that two URL indicators share, so its finding names the host alone.
  it('name the indicator and the form matched', async (t) => {
    const file = join(makeTempDir('derived-rows', t), 'fw.log');
    await writeFile(file, CEF.join('\n') + '\n');
    const { findings } = await huntLogs(hunts, [file]);
    const described = findings
      .filter((finding) => finding.variant !== 'address-only')
      .map((finding) => `${finding.line} ${finding.variant} ${indicatorText(finding.indicator)}`)
      .sort();
    assert.deepEqual(described, [
      '1 port-aware http://195.133.9.138/final/random.exe (as 195.133.9.138:80)',
      '2 domain https://evil-payload.xyz/gate.php (as evil-payload.xyz)',
      '3 domain leberinda.pro',
      '4 domain shared-c2.xyz',
    ]);
    const own = findings.find((finding) => finding.line === 3);
    assert.equal(own?.indicator.matchedAs, undefined);

    const csv = formatFindingsCsv(findings.filter((finding) => finding.line === 2));
    const [header, row] = csv.split('\r\n');
    const columns = header!.split(',');
    const cells = row!.split(',');
    assert.equal(cells[columns.indexOf('indicator')], 'https://evil-payload.xyz/gate.php');
    assert.equal(cells[columns.indexOf('matched_as')], 'evil-payload.xyz');
  });
});

describe('hunt report of derived rows', () => {
  it('defangs the Unicode form matched as written', async (t) => {
    const idnHunts = buildHunts(makeIndicators([['domain', 'xn--80ak6aa92e.com']]), {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
    });
    const file = join(makeTempDir('derived-rows', t), 'fw.log');
    const line =
      'CEF:0|Fortinet|FortiGate|7.0|1|traffic|3|rt=1775000000000 src=10.1.1.9 spt=50000 dst=5.5.5.8 dpt=443 dhost=аррӏе.com act=accept';
    await writeFile(file, line + '\n');
    const result = await huntLogs(idnHunts, [file]);
    assert.equal(result.findings[0]?.indicator.matchedAs, 'аррӏе.com');
    const options = { title: 'Remcos', logs: [file], window: 'none', generatorVersion: '0.0.0' };
    const report = renderHuntReport(result, options);
    assert.match(report, /`xn--80ak6aa92e\[\.\]com` \(as `аррӏе\[\.\]com`\)/);
  });
});
