import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents } from './collect-events.js';

const EVENT = '{"TimeGenerated": "2021-03-01T20:35:54Z", "DestinationIP": "198.51.100.7"}';

describe('log record counts', () => {
  it('counts scalar array elements', async (t) => {
    const folder = makeTempDir('scalar-elements', t);
    const file = join(folder, 'events.json');
    await writeFile(file, `[${EVENT}, 5, "text", null,\n  true, false, -1.5e2, [1]]\n`);
    const { events, stats } = await collectEvents([file], { format: 'commonsecuritylog-json' });
    assert.equal(events.length, 1);
    assert.equal(stats.linesRead, 8);
    assert.equal(stats.linesRejected, 7);
    assert.equal(stats.linesSkipped, 0);
    assert.deepEqual(
      stats.rejections.map((issue) => issue.source?.line),
      [1, 1, 1, 2, 2, 2, 2],
    );
  });

  it('reads a string with brackets', async (t) => {
    const folder = makeTempDir('string-element', t);
    const file = join(folder, 'events.json');
    await writeFile(file, `["a \\"]\\" b", ${EVENT}]\n`);
    const { events, stats } = await collectEvents([file], { format: 'commonsecuritylog-json' });
    assert.equal(events.length, 1);
    assert.equal(stats.linesRead, 2);
    assert.equal(stats.linesRejected, 1);
  });

  it('leaves a CSV header uncounted', async (t) => {
    const folder = makeTempDir('csv-header', t);
    const file = join(folder, 'header.csv');
    await writeFile(file, 'TimeGenerated,DestinationIP\n');
    const { events, stats } = await collectEvents([file], { format: 'commonsecuritylog-csv' });
    assert.equal(events.length, 0);
    assert.equal(stats.linesRead, 0);
    assert.equal(stats.linesSkipped, 0);
    assert.equal(stats.files[0]?.csvHeader, true);
  });
});
