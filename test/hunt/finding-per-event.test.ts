import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { countHits, matchedOnText } from '../../src/hunt/findings.js';
import { formatFindingsCsv, formatFindingsTable } from '../../src/hunt/format-findings.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

// A Zeek http log: line 9 requests a name under the indicator domain, so both its host
// (DestinationHostName) and its URL (RequestURL) match the domain hunt.
const HTTP_LOG = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\thttp',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tversion\tuser_agent\tstatus_code',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tstring\tcount',
  '1764583200.0\tCh1\t10.0.0.5\t5000\t52.1.1.1\t80\t1\tGET\tforo.example\t/a\t-\t1.1\tUA\t200',
  '1764583204.0\tCh5\t10.0.0.5\t5004\t52.1.1.1\t80\t1\tGET\tx.evil-c2.example\t/a\t-\t1.1\tUA\t200',
].join('\n');

async function huntHttpLog(t: TestContext, indicators: Array<[string, string]>) {
  const log = join(makeTempDir('finding-per-event', t), 'http.log');
  await writeFile(log, HTTP_LOG + '\n');
  const hunts = buildHunts(makeIndicators(indicators), {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });
  return huntLogs(hunts, [log]);
}

describe('huntLogs findings per hunt and event', () => {
  it('merges the branches of one hunt', async (t) => {
    const result = await huntHttpLog(t, [['domain', 'evil-c2.example']]);
    const domainFindings = result.findings.filter((finding) => finding.huntId.endsWith('-domain'));
    assert.equal(domainFindings.length, 1);
    const finding = domainFindings[0]!;
    assert.equal(finding.line, 9);
    assert.equal(finding.matchedOn, 'DestinationHostName');
    assert.deepEqual(finding.alsoMatchedOn, ['RequestURL']);
    assert.equal(finding.host, '10.0.0.5');
    assert.equal(matchedOnText(finding), 'DestinationHostName, RequestURL');
    assert.deepEqual(countHits(domainFindings), { hits: 1, events: 1, findings: 1 });
  });

  it('shows every branch in table and CSV', async (t) => {
    const result = await huntHttpLog(t, [['domain', 'evil-c2.example']]);
    const domainFindings = result.findings.filter((finding) => finding.huntId.endsWith('-domain'));
    assert.match(formatFindingsTable(domainFindings), /DestinationHostName, RequestURL/);
    assert.match(formatFindingsCsv(domainFindings), /"DestinationHostName, RequestURL"/);
  });

  it('keeps one finding per indicator', async (t) => {
    const result = await huntHttpLog(t, [
      ['domain', 'evil-c2.example'],
      ['domain', 'x.evil-c2.example'],
    ]);
    const domainFindings = result.findings.filter((finding) => finding.huntId.endsWith('-domain'));
    const indicators = domainFindings.map((finding) => finding.indicator.value).sort();
    assert.deepEqual(indicators, ['evil-c2.example', 'x.evil-c2.example']);
    for (const finding of domainFindings) {
      assert.equal(matchedOnText(finding), 'DestinationHostName, RequestURL');
    }
  });
});
