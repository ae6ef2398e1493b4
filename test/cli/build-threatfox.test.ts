import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { runCli } from '../helpers/cli.js';
import { startFakeThreatFox } from '../helpers/threatfox-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const KEY = 'test-key-0123456789abcdef';

const ANSWER = JSON.stringify({
  query_status: 'ok',
  data: [
    {
      id: '9000001',
      ioc: '45.92.1.175:5220',
      threat_type: 'botnet_cc',
      ioc_type: 'ip:port',
      malware: 'win.remcos',
      malware_printable: 'Remcos',
      malware_alias: 'RemcosRAT',
      confidence_level: 75,
      first_seen: '2026-05-13 09:12:44 UTC',
      last_seen: null,
      reference: null,
      reporter: 'example',
      tags: ['Remcos'],
    },
  ],
});

test('build reads a threatfox: source from the API', async (t) => {
  const server = await startFakeThreatFox({ body: ANSWER });
  try {
    const out = makeTempDir('tf', t);
    const result = await runCli(['build', 'threatfox:family=Remcos', '--out', out], {
      env: { THREATFOX_AUTH_KEY: KEY, THREATFOX_API_URL: server.url },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /read threatfox:family=Remcos \(threatfox-api\): 1 row,/);
    assert.deepEqual(
      await readdir(out).then((names) =>
        names.filter((name) => !['build-issues.txt', 'build-run.json'].includes(name)),
      ),
      ['remcos'],
    );
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.headers['auth-key'], KEY);
    assert.doesNotMatch(result.stdout + result.stderr, new RegExp(KEY));
  } finally {
    await server.close();
  }
});

test('threatfox: source without a key fails cleanly', async (t) => {
  const out = makeTempDir('tf', t);
  const result = await runCli(['build', 'threatfox:days=1', '--out', out], { env: {} });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /THREATFOX_AUTH_KEY/);
  assert.doesNotMatch(result.stderr, /internal error/);
});
