import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { run } from '../../src/cli/run.js';
import { readFeeds } from '../../src/feeds/read.js';
import { skipWithoutShared } from '../helpers/shared.js';
import {
  jsonResponse,
  SHARED_API_ANSWER,
  sharedApiAnswer,
  startFakeThreatFox,
  type FakeThreatFox,
  type ScriptedResponse,
} from '../helpers/threatfox-server.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const KEY = 'tfk-8e2b4d6f1a3c5e7092b4SECRET';

interface FetchRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `huntpack ...args` in `cwd` with the Auth-Key and the server's URL in the environment. */
async function runFetch(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<FetchRun> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end('');
  const code = await run(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin,
    env,
    cwd,
  });
  return { code, stdout, stderr };
}

function envFor(server: FakeThreatFox): NodeJS.ProcessEnv {
  return { THREATFOX_AUTH_KEY: KEY, THREATFOX_API_URL: server.url };
}

const folder = makeTempDir('fetch');

describe('huntpack fetch threatfox', () => {
  test(
    'writes a file that build reads',
    { skip: skipWithoutShared(SHARED_API_ANSWER) },
    async () => {
      const server = await startFakeThreatFox({ body: sharedApiAnswer() });
      try {
        const result = await runFetch(
          ['fetch', 'threatfox', '--family', 'Cobalt Strike', '--out', 'cs.json'],
          folder,
          envFor(server),
        );
        assert.equal(result.code, 0);
        assert.equal(result.stdout, '');
        assert.match(
          result.stderr,
          /fetched 2 indicators for threatfox:family=Cobalt Strike in 1 attempt; wrote cs\.json/,
        );
        const written = await readFile(join(folder, 'cs.json'), 'utf8');
        assert.equal(written, sharedApiAnswer().replace(/\n?$/, '\n'));
        const read = await readFeeds([join(folder, 'cs.json')]);
        assert.equal(read.files[0]!.format, 'threatfox-api');
        assert.equal(read.records.length, 2);
      } finally {
        await server.close();
      }
    },
  );

  test('writes to stdout without --out', async () => {
    const body = JSON.stringify({ query_status: 'ok', data: [] });
    const server = await startFakeThreatFox({ body });
    try {
      const result = await runFetch(['fetch', 'threatfox', '--days', '1'], folder, envFor(server));
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${body}\n`);
      assert.deepEqual(JSON.parse(server.requests[0]!.body), { query: 'get_iocs', days: 1 });
    } finally {
      await server.close();
    }
  });

  test('uses --api-url over the environment', async () => {
    const server = await startFakeThreatFox(jsonResponse({ query_status: 'ok', data: [] }));
    try {
      const result = await runFetch(
        ['fetch', 'threatfox', '--search', '1.2.3.4', '--api-url', server.url],
        folder,
        { THREATFOX_AUTH_KEY: KEY, THREATFOX_API_URL: 'http://127.0.0.1:9/unused/' },
      );
      assert.equal(result.code, 0);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });

  test('exits 0 on no_result', async () => {
    const server = await startFakeThreatFox(
      jsonResponse({ query_status: 'no_result', data: 'Your search did not yield any results' }),
    );
    try {
      const result = await runFetch(
        ['fetch', 'threatfox', '--tag', 'none'],
        folder,
        envFor(server),
      );
      assert.equal(result.code, 0);
      assert.match(result.stderr, /info NO_RESULT/);
      assert.match(result.stderr, /fetched 0 indicators/);
    } finally {
      await server.close();
    }
  });

  test('logs retries to stderr', async () => {
    const server = await startFakeThreatFox(
      { status: 429, body: '', headers: { 'retry-after': '0' } },
      jsonResponse({ query_status: 'ok', data: [] }),
    );
    try {
      const result = await runFetch(['fetch', 'threatfox', '--days', '2'], folder, envFor(server));
      assert.equal(result.code, 0);
      assert.match(result.stderr, /attempt 1 of 4 failed \(HTTP 429\); retrying in \d\.\d s/);
      assert.match(result.stderr, /in 2 attempts/);
    } finally {
      await server.close();
    }
  });

  const usage: Array<[string, string[]]> = [
    ['no query', []],
    ['two queries', ['--days', '1', '--tag', 'x']],
    ['days 8', ['--days', '8']],
    ['days 0', ['--days', '0']],
    ['limit with search', ['--search', '1.2.3.4', '--limit', '5']],
    ['limit 1001', ['--family', 'Remcos', '--limit', '1001']],
    ['an empty family', ['--family', ' ']],
    ['max size 0', ['--days', '1', '--max-size', '0']],
    ['max size in MB', ['--days', '1', '--max-size', '5MB']],
  ];
  for (const [name, args] of usage) {
    test(`exits 2 on ${name}`, async () => {
      const result = await runFetch(['fetch', 'threatfox', ...args], folder, {
        THREATFOX_AUTH_KEY: KEY,
        THREATFOX_API_URL: 'http://127.0.0.1:9/',
      });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
    });
  }

  test('exits 1 on a body above --max-size', async () => {
    const padded = `{"query_status":"ok","data":[${' '.repeat(3 * 1024 * 1024)}]}`;
    const server = await startFakeThreatFox({
      body: gzipSync(padded),
      headers: { 'content-encoding': 'gzip' },
    });
    const out = await mkdtemp(join(folder, 'too-large-'));
    try {
      const result = await runFetch(
        ['fetch', 'threatfox', '--days', '1', '--max-size', '2', '--out', 'answer.json'],
        out,
        envFor(server),
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /limit of 2 MiB/);
      assert.ok(result.stderr.includes(server.url), result.stderr);
      assert.doesNotMatch(result.stderr, /fetched/);
      assert.deepEqual(await readdir(out), []);
      assert.equal(server.requests.length, 1);
    } finally {
      await server.close();
    }
  });

  test('exits 1 without an Auth-Key', async () => {
    const result = await runFetch(['fetch', 'threatfox', '--days', '1'], folder, {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /THREATFOX_AUTH_KEY is not set/);
  });

  test('keeps an old file on failure', async () => {
    const server = await startFakeThreatFox({ status: 404, body: 'not found' });
    const out = join(folder, 'kept.json');
    await writeFile(out, 'old content', 'utf8');
    try {
      const result = await runFetch(
        ['fetch', 'threatfox', '--days', '1', '--out', 'kept.json'],
        folder,
        envFor(server),
      );
      assert.equal(result.code, 1);
      assert.match(result.stderr, /THREATFOX|HTTP 404/);
      assert.equal(await readFile(out, 'utf8'), 'old content');
    } finally {
      await server.close();
    }
  });

  test('keeps the key out of output and files', async () => {
    const echo = `Auth-Key: ${KEY}`;
    const scenarios: ScriptedResponse[] = [
      { status: 401, body: echo },
      { status: 403, body: JSON.stringify({ query_status: 'unknown_auth_key', echo }) },
      { status: 404, body: echo },
      { status: 301, body: echo, headers: { location: `http://127.0.0.1:9/${KEY}` } },
      { status: 429, body: echo, headers: { 'retry-after': '86400' } },
      { status: 503, body: echo, headers: { 'retry-after': '86400' } },
      { body: `<html>${echo}</html>` },
      jsonResponse({ query_status: `illegal_${KEY}`, data: echo }),
      jsonResponse({ query_status: 'ok', data: echo }),
      jsonResponse({ query_status: 'ok', data: [{ ioc: KEY }] }),
    ];
    const outFolder = await mkdtemp(join(folder, 'secret-'));
    for (const [index, scenario] of scenarios.entries()) {
      const server = await startFakeThreatFox(scenario);
      try {
        const result = await runFetch(
          ['fetch', 'threatfox', '--days', '1', '--out', `out-${index}.json`],
          outFolder,
          envFor(server),
        );
        assert.ok(!result.stdout.includes(KEY), `stdout leaked in scenario ${index}`);
        assert.ok(
          !result.stderr.includes(KEY),
          `stderr leaked in scenario ${index}: ${result.stderr}`,
        );
      } finally {
        await server.close();
      }
    }
    for (const name of await readdir(outFolder)) {
      const text = await readFile(join(outFolder, name), 'utf8');
      assert.ok(!text.includes(KEY), `file ${name} contains the key`);
    }
  });
});
