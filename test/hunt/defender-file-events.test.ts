/**
 * Local hunts over the DeviceFileEvents and DeviceProcessEvents rows of a real Defender advanced
 * hunting export, which has rows of several tables in one CSV.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { logFixture } from './logs/collect-events.js';

const EXPORT = logFixture(
  'devicenetworkevents/plaso_m365d-advanced-hunting-export_mixed-tables.csv',
);

/** SHA256 of user.xml in the export's FileModified row, on line 113. */
const USER_XML = '3bf7fec7350461e699d0a5cef1fd15d5d674d3f3925cda1d4293148727964b53';
/** MD5 of CompatTelRunner.exe in the export's two ProcessCreated rows, on lines 74 and 75. */
const COMPAT_TEL = 'cc3c745453e03afd9a03e50a504c0576';
/** SHA256 of mdnsNSP.dll in the export's ImageLoaded row, on line 106. */
const MDNS_NSP_SHA256 = '356c49c5e1328fb181c295a84292471c566e11099e46d7a34c017931863d86a4';
/** MD5 of GoogleUpdate.exe, which loaded that DLL. */
const GOOGLE_UPDATE_MD5 = '6bf197b8c7de4b004c5d6fa415fc7867';
/** SHA256 of chrome.exe, which made the connections on lines 80 and 81 of the export. */
const CHROME = '0f36d0e67269e42f4aa8e17d7c17a1e1b615c353340deb46508acd33e5bdb173';

const OPTIONS = {
  family: 'Remcos',
  familySlug: 'remcos',
  lookback: { amount: 30, unit: 'd' as const },
  exclusionsFor: defaultExclusions,
};

describe('local hunt over Defender file and process rows', () => {
  it('finds hashes in both tables', async () => {
    const hunts = buildHunts(
      makeIndicators([
        ['sha256_hash', USER_XML],
        ['md5_hash', COMPAT_TEL.toUpperCase()],
      ]),
      OPTIONS,
    );
    const result = await huntLogs(hunts, [EXPORT]);
    const found = result.findings.map((finding) => [
      finding.table,
      finding.line,
      finding.host,
      finding.indicator.value,
    ]);
    // Findings come in time order, and the file row is the earliest.
    assert.deepEqual(found, [
      ['DeviceFileEvents', 113, 'test-hostname', USER_XML],
      ['DeviceProcessEvents', 74, 'test-hostname', COMPAT_TEL],
      ['DeviceProcessEvents', 75, 'test-hostname', COMPAT_TEL],
    ]);
    assert.ok(result.huntsRun.some((id) => id.includes('-dfe-')));
    assert.ok(result.huntsRun.some((id) => id.includes('-dpe-')));
  });

  it('finds a loaded DLL by its hashes', async () => {
    // mdnsNSP.dll, loaded by GoogleUpdate.exe on line 106 of the export.
    const hunts = buildHunts(
      makeIndicators([
        ['sha256_hash', MDNS_NSP_SHA256],
        ['md5_hash', GOOGLE_UPDATE_MD5],
      ]),
      OPTIONS,
    );
    const result = await huntLogs(hunts, [EXPORT]);
    const found = result.findings.filter((finding) => finding.line === 106);
    assert.deepEqual(
      found.map((finding) => [finding.table, finding.matchedOn, finding.indicator.value]),
      [
        ['DeviceImageLoadEvents', 'SHA256', MDNS_NSP_SHA256],
        ['DeviceImageLoadEvents', 'InitiatingProcessMD5', GOOGLE_UPDATE_MD5],
      ],
    );
    assert.equal(found[0]!.columns.FileName, 'mdnsNSP.dll');
    assert.ok(result.huntsRun.some((id) => id.includes('-dile-')));
  });

  it('finds the process behind connections', async () => {
    const hunts = buildHunts(makeIndicators([['sha256_hash', CHROME]]), OPTIONS);
    const result = await huntLogs(hunts, [EXPORT]);
    assert.deepEqual(
      result.findings.map((finding) => [
        finding.table,
        finding.line,
        finding.matchedOn,
        finding.columns.RemoteIP,
      ]),
      [
        ['DeviceNetworkEvents', 80, 'InitiatingProcessSHA256', '46.228.174.117'],
        ['DeviceNetworkEvents', 81, 'InitiatingProcessSHA256', '185.64.190.78'],
      ],
    );
  });

  it('keeps the default exclusion', async (t) => {
    // Defender's own scanner quarantining the file is left out by default.
    const file = join(makeTempDir('defender-file-rows', t), 'export.csv');
    const header =
      'Timestamp,DeviceName,ActionType,FileName,FolderPath,SHA256,InitiatingProcessFileName,InitiatingProcessFolderPath';
    const row = (initiator: string, folder: string): string =>
      `2024-05-01T10:00:00Z,pc1,FileCreated,payload.exe,C:\\Users\\a\\payload.exe,${USER_XML},${initiator},${folder}`;
    const rows = [
      row('MsMpEng.exe', 'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2\\'),
      row('explorer.exe', 'C:\\Windows\\'),
    ];
    await writeFile(file, [header, ...rows].join('\n') + '\n');
    const hunts = buildHunts(makeIndicators([['sha256_hash', USER_XML]]), OPTIONS);
    const result = await huntLogs(hunts, [file]);
    assert.deepEqual(
      result.findings.map((finding) => [finding.line, finding.columns.InitiatingProcessFileName]),
      [[3, 'explorer.exe']],
    );
  });
});
