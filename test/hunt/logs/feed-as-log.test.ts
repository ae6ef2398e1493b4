import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { detectFeedLabel, detectLogFormat } from '../../../src/hunt/logs/detect-format.js';
import { readLogs } from '../../../src/hunt/logs/read-logs.js';
import { repoFile } from '../../helpers/shared.js';

/** A feed file of each detected format, with the label that the error names. */
const FEEDS: Array<[file: string, label: string]> = [
  ['data/threatfox/fabi2708_csv-recent_2026-04-12.csv', 'ThreatFox CSV export'],
  ['data/threatfox/v3nom_json-export-recent_2026-07-24.json', 'ThreatFox JSON export'],
  ['test/fixtures/threatfox/api-no-result.json', 'ThreatFox API response'],
  ['test/fixtures/threatfox/api-items.ndjson', 'NDJSON of ThreatFox API items'],
  ['test/fixtures/stix/oasis-schemas_poisonivy_stix21.json', 'STIX 2.1 bundle'],
  ['test/fixtures/misp/eset_sshdoor-coruscant_domain-ip.json', 'MISP JSON'],
];

describe('detectFeedLabel', () => {
  for (const [file, label] of FEEDS) {
    it(`names ${label}`, async () => {
      const head = (await readFile(repoFile(file), 'utf8')).slice(0, 65536);
      // readLogs requests the label only when no log format fits.
      assert.equal(detectLogFormat(head, false), undefined);
      assert.equal(detectFeedLabel(head, file), label);
    });
  }

  it('names no feed for free text', () => {
    const text = 'The Remcos C2 was 45.9.148.10:4444 and evil[.]example.\n';
    assert.equal(detectFeedLabel(text, 'notes.txt'), undefined);
    assert.equal(detectFeedLabel(text, 'notes.log'), undefined);
  });
});

describe('readLogs with a feed as a log', () => {
  it('reports FEED_NOT_LOG', async () => {
    const file = repoFile('test/fixtures/stix/oasis-schemas_poisonivy_stix21.json');
    const reader = readLogs([file]);
    for await (const batch of reader.batches()) assert.equal(batch.length, 0);

    const [error] = reader.stats.fileErrors;
    assert.equal(reader.stats.fileErrors.length, 1);
    assert.equal(error?.code, 'FEED_NOT_LOG');
    assert.equal(error?.source?.file, file);
    assert.match(error?.message ?? '', /is a feed \(STIX 2\.1 bundle\), not a log\./);
    assert.match(error?.message ?? '', /pass it with --feed, once per feed file/);
  });
});
