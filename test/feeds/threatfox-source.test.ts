import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, FeedParseError, UsageError } from '../../src/errors.js';
import { readFeeds } from '../../src/feeds/read.js';
import {
  formatThreatFoxSource,
  parseThreatFoxSource,
  type ThreatFoxQuery,
} from '../../src/feeds/threatfox-query.js';
import { collectIndicators } from '../../src/pipeline/collect.js';
import { repoFile, skipWithoutShared } from '../helpers/shared.js';
import {
  jsonResponse,
  SHARED_API_ANSWER,
  SHARED_API_ITEMS,
  sharedApiAnswer,
  sharedApiItems,
  startFakeThreatFox,
  type FakeThreatFox,
} from '../helpers/threatfox-server.js';

const KEY = 'tfk-5d1c0b8a6e4f2a9c7b3dSECRET';

function sourceOptions(server: FakeThreatFox) {
  return { authKey: KEY, baseUrl: server.url, retryBaseDelayMs: 1, timeoutMs: 2_000 };
}

describe('parseThreatFoxSource', () => {
  const valid: Array<[string, ThreatFoxQuery]> = [
    ['threatfox:days=3', { kind: 'recent', days: 3 }],
    ['threatfox:family=Remcos', { kind: 'family', malware: 'Remcos', limit: 1000 }],
    ['threatfox:family=win.remcos&limit=50', { kind: 'family', malware: 'win.remcos', limit: 50 }],
    ['threatfox:tag=AS_DELIS', { kind: 'tag', tag: 'AS_DELIS', limit: 1000 }],
    [
      'threatfox:search=http://a.example/x?b=1&limit=2',
      { kind: 'search', term: 'http://a.example/x?b=1&limit=2' },
    ],
  ];
  for (const [source, query] of valid) {
    test(`parses ${source}`, () => {
      assert.deepEqual(parseThreatFoxSource(source), query);
      assert.equal(formatThreatFoxSource(query), source);
    });
  }

  const invalid = [
    'threatfox:',
    'threatfox:days=0',
    'threatfox:days=8',
    'threatfox:days=2.5',
    'threatfox:family=',
    'threatfox:family=Remcos&limit=1001',
    'threatfox:tag=&limit=5',
    'threatfox:search=  ',
    'threatfox:malware=Remcos',
  ];
  for (const source of invalid) {
    test(`rejects ${source}`, () => {
      assert.throws(() => parseThreatFoxSource(source), UsageError);
    });
  }
});

describe('readFeeds with threatfox: sources', () => {
  test('reads a recorded answer', { skip: skipWithoutShared(SHARED_API_ANSWER) }, async () => {
    const server = await startFakeThreatFox({ body: sharedApiAnswer() });
    try {
      const result = await readFeeds(['threatfox:family=Cobalt Strike'], {
        threatfox: sourceOptions(server),
      });
      assert.deepEqual(result.files, [
        {
          file: 'threatfox:family=Cobalt Strike',
          format: 'threatfox-api',
          rowsRead: 2,
          accepted: 2,
          rejected: 0,
          dropped: {},
          failed: false,
        },
      ]);
      assert.deepEqual(
        result.records.map((record) => [record.source.file, record.source.id]),
        [
          ['threatfox:family=Cobalt Strike', '291780'],
          ['threatfox:family=Cobalt Strike', '291505'],
        ],
      );
      assert.deepEqual(JSON.parse(server.requests[0]!.body), {
        query: 'malwareinfo',
        malware: 'Cobalt Strike',
        limit: 1000,
      });
    } finally {
      await server.close();
    }
  });

  test('collects wrapped NDJSON items', { skip: skipWithoutShared(SHARED_API_ITEMS) }, async () => {
    const items = sharedApiItems();
    const server = await startFakeThreatFox(jsonResponse({ query_status: 'ok', data: items }));
    try {
      const collected = await collectIndicators(['threatfox:days=7'], {
        threatfox: sourceOptions(server),
      });
      assert.equal(items.length, 26);
      assert.equal(collected.counts.rowsRead, 26);
      assert.equal(
        collected.counts.accepted + collected.counts.rejected + collected.counts.merged,
        26,
      );
      assert.ok(
        collected.indicators.some((indicator) => indicator.value === '[2a02:cf40:1::5]:40669'),
      );
    } finally {
      await server.close();
    }
  });

  test('reports no_result once as info', async () => {
    const server = await startFakeThreatFox(
      jsonResponse({ query_status: 'no_result', data: 'Your search did not yield any results' }),
    );
    try {
      const result = await readFeeds(['threatfox:search=203.0.113.7'], {
        threatfox: sourceOptions(server),
      });
      assert.equal(result.records.length, 0);
      assert.deepEqual(
        result.issues.map((issue) => [issue.code, issue.severity]),
        [['NO_RESULT', 'info']],
      );
    } finally {
      await server.close();
    }
  });

  test('records a failed fetch and reads the next input', async () => {
    const server = await startFakeThreatFox({ status: 503, body: '' });
    try {
      const result = await readFeeds(
        ['threatfox:days=1', repoFile('test/fixtures/threatfox/api-items.ndjson')],
        { threatfox: { ...sourceOptions(server), maxAttempts: 2 } },
      );
      assert.equal(result.files[0]!.failed, true);
      assert.equal(result.files[0]!.format, 'threatfox-api');
      assert.equal(result.files[1]!.failed, false);
      assert.ok(result.files[1]!.accepted > 0);
      const failure = result.issues.find((issue) => issue.code === 'THREATFOX_SERVER_ERROR');
      assert.equal(failure?.severity, 'error');
      assert.equal(failure?.source?.file, 'threatfox:days=1');
    } finally {
      await server.close();
    }
  });

  test('throws a failed fetch in strict mode', async () => {
    const server = await startFakeThreatFox({ status: 503, body: '' });
    try {
      await assert.rejects(
        readFeeds(['threatfox:days=1'], {
          strict: true,
          threatfox: { ...sourceOptions(server), maxAttempts: 1 },
        }),
        FeedParseError,
      );
    } finally {
      await server.close();
    }
  });

  test('passes on a reached limit as a warning', async () => {
    const server = await startFakeThreatFox(jsonResponse({ query_status: 'ok', data: [] }));
    server.enqueue(jsonResponse({ query_status: 'ok', data: [{ id: '1' }] }));
    try {
      const result = await readFeeds(['threatfox:tag=x&limit=1', 'threatfox:tag=x&limit=1'], {
        threatfox: sourceOptions(server),
      });
      assert.deepEqual(
        result.issues.filter((issue) => issue.code === 'THREATFOX_LIMIT_REACHED').length,
        1,
      );
    } finally {
      await server.close();
    }
  });

  test('throws without an Auth-Key', async () => {
    await assert.rejects(
      readFeeds(['threatfox:days=1'], {}),
      (error: unknown) =>
        error instanceof ConfigError && error.code === 'THREATFOX_AUTH_KEY_MISSING',
    );
  });

  test('throws on a rejected Auth-Key', async () => {
    const server = await startFakeThreatFox(
      jsonResponse({ query_status: 'unknown_auth_key' }, 403),
    );
    try {
      await assert.rejects(
        readFeeds(['threatfox:days=1'], { threatfox: sourceOptions(server) }),
        (error: unknown) => error instanceof ConfigError && !error.message.includes(KEY),
      );
    } finally {
      await server.close();
    }
  });
});
