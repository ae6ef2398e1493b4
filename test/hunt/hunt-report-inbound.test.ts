import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs, type HuntLogsResult } from '../../src/hunt/engine.js';
import { formatFindingsCsv, formatFindingsTable } from '../../src/hunt/format-findings.js';
import { renderHuntReport } from '../../src/hunt/hunt-report.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const OPTIONS = { title: 'Remcos', logs: ['web.log'], window: 'none', generatorVersion: '0.0.0' };
const CEF_HEAD = 'CEF:0|Acme|WAF|1.0|1|Request|5|';
const TIME = 'rt=1775001600000';

/** Every live form of the attacker's address, host names and URLs in the planted log. */
const LIVE = /178\.32\.252\.70|evil-host\.top|https?:\/\//i;

/** Hunts a planted inbound CEF log for the attacker's address and URL on real DuckDB. */
async function huntInbound(t: TestContext): Promise<HuntLogsResult> {
  const hunts = buildHunts(
    makeIndicators([
      ['ip', '178.32.252.70'],
      ['url', 'http://evil-host.top/gate.php'],
    ]),
    {
      family: 'Remcos',
      familySlug: 'remcos',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    },
  );
  const log = join(makeTempDir('hunt-report-inbound', t), 'web.log');
  const lines = [
    `src=178.32.252.70 spt=443 shost=login.evil-host.top dst=10.1.1.9 dpt=8080 request=http://evil-host.top/gate.php act=allow ${TIME}`,
    'src=178.32.252.70 dst=10.1.1.10 rt=notatime-http://evil-host.top/',
    `src=178.32.252.70 dst=10.1.1.11 dpt=evil-host.top ${TIME}`,
    `src=178.32.252.70 dst=203.0.113.80 dhost=www.evil-host.top act=blocked:login.evil-host.top ${TIME}`,
  ];
  await writeFile(log, lines.map((line) => CEF_HEAD + line).join('\n') + '\n');
  const result = await huntLogs(hunts, [log]);
  assert.equal(result.stats.linesRejected, 0);
  return result;
}

describe('hunt report of an inbound attack', () => {
  it('writes no live attacker value', async (t) => {
    const text = renderHuntReport(await huntInbound(t), OPTIONS);
    // The URL's host joins the domain hunt, which adds a finding on events 1 and 4.
    assert.match(text, /## Findings: 4 hits\n\n4 hits in 4 events, with 7 findings\./);
    const live = text.split('\n').filter((line) => LIVE.test(line));
    assert.deepEqual(live, [], `live attacker values in:\n${text}`);
  });

  it('writes event values and warnings defanged', async (t) => {
    const text = renderHuntReport(await huntInbound(t), OPTIONS);
    for (const defanged of [
      '| `178[.]32[.]252[.]70:443 -> 10.1.1.9:8080 RequestURL=hxxp://evil-host[.]top/gate.php DeviceAction=allow` |',
      'rt: Invalid time "notatime-hxxp://evil-host[.]top/"',
      'Invalid DestinationPort "evil-host[.]top"',
      '178[.]32[.]252[.]70 -> 203[.]0[.]113[.]80 DestinationHostName=www[.]evil-host[.]top DeviceAction=blocked:login[.]evil-host[.]top` |',
    ]) {
      assert.ok(text.includes(defanged), `missing ${defanged} in:\n${text}`);
    }
  });

  it('names the internal destination as the host', async (t) => {
    const text = renderHuntReport(await huntInbound(t), OPTIONS);
    const urlRow = text.split('\n').find((line) => line.includes('-csl-url (RequestURL)'));
    assert.ok(urlRow?.startsWith('| 2026-04-01T00:00:00Z | `10.1.1.9` | `hxxp://'), urlRow);
    const byHost = text.slice(text.indexOf('### By host'), text.indexOf('### Timeline'));
    // The address and the URL hunt both matched its one event, which is one hit.
    assert.match(byHost, /^\| `10\.1\.1\.9` \| 1 \| 1 \|/m);
    // A destination with a public address is not clearly internal, so its name is defanged.
    assert.match(byHost, /^\| `www\[\.\]evil-host\[\.\]top` \| 1 \| 1 \|/m);
    assert.doesNotMatch(byHost, /login/);
  });

  it('keeps terminal and CSV output live', async (t) => {
    const result = await huntInbound(t);
    const table = formatFindingsTable(result.findings);
    assert.ok(table.includes('178.32.252.70:443 -> 10.1.1.9:8080'), table);
    assert.ok(table.includes('RequestURL=http://evil-host.top/gate.php'), table);
    const csv = formatFindingsCsv(result.findings);
    assert.ok(csv.includes('http://evil-host.top/gate.php'), csv);
  });
});
