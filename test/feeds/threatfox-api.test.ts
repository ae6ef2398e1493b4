import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { ConfigError, HuntpackError, UsageError } from '../../src/errors.js';
import {
  fetchThreatFox,
  ThreatFoxApiError,
  type ThreatFoxClientOptions,
  type ThreatFoxQuery,
} from '../../src/feeds/threatfox-api.js';
import { parseRetryAfter } from '../../src/feeds/threatfox-api-response.js';
import { skipWithoutShared } from '../helpers/shared.js';
import {
  jsonResponse,
  SHARED_API_ANSWER,
  sharedApiAnswer,
  startFakeThreatFox,
  type FakeThreatFox,
  type ScriptedResponse,
} from '../helpers/threatfox-server.js';

const KEY = 'tfk-0f3a9c1e77d24b6b9e5aSECRET';
const RECENT: ThreatFoxQuery = { kind: 'recent', days: 3 };

/** Client options that point at `server` and skip real waits, recording them instead. */
function clientOptions(server: FakeThreatFox, waits: number[] = []): ThreatFoxClientOptions {
  return {
    authKey: KEY,
    baseUrl: server.url,
    timeoutMs: 2_000,
    retryBaseDelayMs: 10,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}

/** Runs one query against a server scripted with `responses` and returns the thrown error. */
async function failureFor(
  responses: ScriptedResponse[],
  options: Partial<ThreatFoxClientOptions> = {},
): Promise<{ error: HuntpackError; requests: number }> {
  const server = await startFakeThreatFox(...responses);
  try {
    await fetchThreatFox(RECENT, { ...clientOptions(server), ...options });
  } catch (error) {
    assert.ok(error instanceof HuntpackError, `expected a HuntpackError, got ${String(error)}`);
    return { error, requests: server.requests.length };
  } finally {
    await server.close();
  }
  assert.fail('expected the request to fail');
}

describe(
  'fetchThreatFox with a recorded answer',
  { skip: skipWithoutShared(SHARED_API_ANSWER) },
  () => {
    let server: FakeThreatFox;
    before(async () => {
      server = await startFakeThreatFox({ body: sharedApiAnswer() });
    });
    after(() => server.close());

    test('returns the body as received', async () => {
      const response = await fetchThreatFox(RECENT, clientOptions(server));
      assert.equal(response.body, sharedApiAnswer());
      assert.equal(response.queryStatus, 'ok');
      assert.equal(response.itemCount, 2);
      assert.equal(response.attempts, 1);
      assert.deepEqual(response.issues, []);
    });

    test('posts JSON with the Auth-Key header', () => {
      const request = server.requests.at(-1)!;
      assert.equal(request.method, 'POST');
      assert.equal(request.url, '/api/v1/');
      assert.equal(request.headers['auth-key'], KEY);
      assert.equal(request.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(request.body), { query: 'get_iocs', days: 3 });
    });
  },
);

describe('fetchThreatFox query bodies', () => {
  const cases: Array<[ThreatFoxQuery, Record<string, unknown>]> = [
    [
      { kind: 'recent', days: 7 },
      { query: 'get_iocs', days: 7 },
    ],
    [
      { kind: 'family', malware: 'Remcos', limit: 1000 },
      { query: 'malwareinfo', malware: 'Remcos', limit: 1000 },
    ],
    [
      { kind: 'tag', tag: 'AS_DELIS', limit: 50 },
      { query: 'taginfo', tag: 'AS_DELIS', limit: 50 },
    ],
    [
      { kind: 'search', term: '1.2.3.4' },
      { query: 'search_ioc', search_term: '1.2.3.4' },
    ],
  ];
  for (const [query, expected] of cases) {
    test(`sends ${String(expected.query)}`, async () => {
      const server = await startFakeThreatFox(jsonResponse({ query_status: 'ok', data: [] }));
      try {
        await fetchThreatFox(query, clientOptions(server));
        assert.deepEqual(JSON.parse(server.requests[0]!.body), expected);
      } finally {
        await server.close();
      }
    });
  }
});

describe('fetchThreatFox answers', () => {
  test('returns no_result as zero items with an info issue', async () => {
    const server = await startFakeThreatFox(
      jsonResponse({ query_status: 'no_result', data: 'Your search did not yield any results' }),
    );
    try {
      const response = await fetchThreatFox(RECENT, clientOptions(server));
      assert.equal(response.queryStatus, 'no_result');
      assert.equal(response.itemCount, 0);
      assert.deepEqual(
        response.issues.map((issue) => [issue.code, issue.severity, issue.source?.file]),
        [['NO_RESULT', 'info', 'threatfox:days=3']],
      );
    } finally {
      await server.close();
    }
  });

  test('rejects illegal_days without retrying', async () => {
    const { error, requests } = await failureFor([
      jsonResponse({ query_status: 'illegal_days', data: 'days must be between 1 and 7' }),
    ]);
    assert.ok(error instanceof ThreatFoxApiError);
    assert.equal(error.code, 'THREATFOX_QUERY_REJECTED');
    assert.match(error.message, /query_status "illegal_days"/);
    assert.match(error.message, /from 1 to 7/);
    assert.equal(requests, 1);
  });

  test('warns when a family query reaches its limit', async () => {
    const server = await startFakeThreatFox(jsonResponse({ query_status: 'ok', data: [{}, {}] }));
    try {
      const response = await fetchThreatFox(
        { kind: 'family', malware: 'Remcos', limit: 2 },
        clientOptions(server),
      );
      assert.deepEqual(
        response.issues.map((issue) => issue.code),
        ['THREATFOX_LIMIT_REACHED'],
      );
    } finally {
      await server.close();
    }
  });

  const unexpected: Array<[string, ScriptedResponse]> = [
    ['an HTML page', { body: '<html><body>502 Bad Gateway</body></html>' }],
    ['an answer without data', jsonResponse({ query_status: 'ok' })],
    ['an answer without query_status', jsonResponse({ data: [] })],
    ['a JSON array', jsonResponse([{ id: '1' }])],
  ];
  for (const [name, response] of unexpected) {
    test(`rejects ${name}`, async () => {
      const { error, requests } = await failureFor([response]);
      assert.ok(error instanceof ThreatFoxApiError);
      assert.equal(error.code, 'THREATFOX_UNEXPECTED_RESPONSE');
      assert.equal(error.source?.file, 'threatfox:days=3');
      assert.equal(requests, 1);
    });
  }
});

describe('fetchThreatFox retries', () => {
  test('waits for Retry-After after a 429', async () => {
    const waits: number[] = [];
    const server = await startFakeThreatFox(
      jsonResponse({ query_status: 'rate_limited' }, 429, { 'retry-after': '2' }),
      jsonResponse({ query_status: 'ok', data: [] }),
    );
    try {
      const response = await fetchThreatFox(RECENT, clientOptions(server, waits));
      assert.equal(response.attempts, 2);
      assert.equal(waits.length, 1);
      assert.ok(waits[0]! >= 2000, `waited ${waits[0]} ms`);
    } finally {
      await server.close();
    }
  });

  test('succeeds after two 500s with real backoff', async () => {
    const server = await startFakeThreatFox(
      { status: 500, body: 'internal error' },
      { status: 500, body: 'internal error' },
      jsonResponse({ query_status: 'ok', data: [] }),
    );
    const events: Array<[number, string]> = [];
    try {
      const response = await fetchThreatFox(RECENT, {
        authKey: KEY,
        baseUrl: server.url,
        retryBaseDelayMs: 5,
        onRetry: (event) => events.push([event.attempt, event.reason]),
      });
      assert.equal(response.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.deepEqual(events, [
        [1, 'HTTP 500'],
        [2, 'HTTP 500'],
      ]);
    } finally {
      await server.close();
    }
  });

  test('doubles the backoff with jitter', async () => {
    const waits: number[] = [];
    const { error } = await failureFor([{ status: 503, body: '' }], {
      retryBaseDelayMs: 100,
      random: () => 1,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    assert.equal(error.code, 'THREATFOX_SERVER_ERROR');
    assert.deepEqual(waits, [100, 200, 400]);
  });

  test('gives up after four 503s', async () => {
    const { error, requests } = await failureFor([{ status: 503, body: 'busy' }]);
    assert.ok(error instanceof ThreatFoxApiError);
    assert.equal(error.code, 'THREATFOX_SERVER_ERROR');
    assert.match(error.message, /after 4 attempts: HTTP 503 with "busy"/);
    assert.equal(requests, 4);
  });

  test('stops when Retry-After is too long', async () => {
    const { error, requests } = await failureFor([
      { status: 429, body: '', headers: { 'retry-after': '3600' } },
    ]);
    assert.equal(error.code, 'THREATFOX_RATE_LIMITED');
    assert.match(error.message, /retry after 3600 s/);
    assert.equal(requests, 1);
  });

  test('times out a hanging server', async () => {
    const { error, requests } = await failureFor(['hang'], { timeoutMs: 100, maxAttempts: 2 });
    assert.equal(error.code, 'THREATFOX_TIMEOUT');
    assert.match(error.message, /after 2 attempts: timed out after 0.1 s/);
    assert.equal(requests, 2);
  });

  test('retries a reset connection', async () => {
    const server = await startFakeThreatFox(
      'reset',
      jsonResponse({ query_status: 'ok', data: [] }),
    );
    try {
      const response = await fetchThreatFox(RECENT, clientOptions(server));
      assert.equal(response.attempts, 2);
    } finally {
      await server.close();
    }
  });

  test('reports a refused connection', async () => {
    const server = await startFakeThreatFox();
    const url = server.url;
    await server.close();
    const { error } = await failureFor([], { baseUrl: url, maxAttempts: 2 });
    assert.equal(error.code, 'THREATFOX_NETWORK_ERROR');
    assert.match(error.message, /ECONNREFUSED/);
  });
});

describe('fetchThreatFox response size', () => {
  const MIB = 1024 * 1024;

  /** Returns an `ok` response padded with `spaces` bytes of whitespace inside its empty list. */
  function paddedAnswer(spaces: number): string {
    return `{"query_status":"ok","data":[${' '.repeat(spaces)}]}`;
  }

  test('rejects a gzip body above the limit', async () => {
    const body = gzipSync(paddedAnswer(2 * MIB));
    const { error, requests } = await failureFor(
      [{ body, headers: { 'content-encoding': 'gzip' } }],
      { maxResponseBytes: MIB },
    );
    assert.ok(error instanceof ThreatFoxApiError);
    assert.equal(error.code, 'THREATFOX_RESPONSE_TOO_LARGE');
    assert.match(error.message, /larger than the limit of 1 MiB after decompression/);
    assert.match(error.message, /http:\/\/127\.0\.0\.1:\d+\/api\/v1\//);
    assert.match(error.message, /--max-size/);
    assert.equal(requests, 1);
  });

  test('rejects a Content-Length above the limit', async () => {
    const body = paddedAnswer(2 * MIB);
    const { error, requests } = await failureFor(
      [{ body, headers: { 'content-length': String(body.length) } }],
      { maxResponseBytes: MIB },
    );
    assert.equal(error.code, 'THREATFOX_RESPONSE_TOO_LARGE');
    assert.match(error.message, /Content-Length of 2\.0 MiB/);
    assert.equal(requests, 1);
  });

  test('rejects a chunked body above the limit', async () => {
    const { error } = await failureFor([{ body: paddedAnswer(2 * MIB) }], {
      maxResponseBytes: MIB,
    });
    assert.equal(error.code, 'THREATFOX_RESPONSE_TOO_LARGE');
  });

  test('accepts a gzip body under the limit', async () => {
    const body = gzipSync(JSON.stringify({ query_status: 'ok', data: [{ id: '1' }] }));
    const server = await startFakeThreatFox({ body, headers: { 'content-encoding': 'gzip' } });
    try {
      const response = await fetchThreatFox(RECENT, {
        ...clientOptions(server),
        maxResponseBytes: MIB,
      });
      assert.equal(response.itemCount, 1);
      assert.match(response.body, /"query_status":"ok"/);
    } finally {
      await server.close();
    }
  });

  test('rejects data items that are not objects', async () => {
    const { error } = await failureFor([jsonResponse({ query_status: 'ok', data: [1, 'x'] })]);
    assert.equal(error.code, 'THREATFOX_UNEXPECTED_RESPONSE');
    assert.match(error.message, /item 1 of data is 1, not an object/);
  });
});

describe('fetchThreatFox cut-short response', () => {
  const whole = JSON.stringify({
    query_status: 'ok',
    data: [{ id: '291780', ioc: 'example.com', ioc_type: 'domain', tags: ['a', 'b'] }],
  });

  test('retries JSON that ends early', async () => {
    const half = whole.slice(0, Math.floor(whole.length / 2));
    const { error, requests } = await failureFor([{ body: half }]);
    assert.ok(error instanceof ThreatFoxApiError);
    assert.equal(error.code, 'THREATFOX_TRUNCATED_RESPONSE');
    assert.match(error.message, new RegExp(`JSON ends early, after ${half.length} bytes`));
    assert.doesNotMatch(error.message, /not JSON/);
    assert.equal(requests, 4);
  });

  test('succeeds when a retry is whole', async () => {
    const server = await startFakeThreatFox({ body: whole.slice(0, 40) }, { body: whole });
    try {
      const response = await fetchThreatFox(RECENT, clientOptions(server));
      assert.equal(response.attempts, 2);
      assert.equal(response.itemCount, 1);
    } finally {
      await server.close();
    }
  });

  test('every cut position ends early', async () => {
    for (let end = 1; end < whole.length; end += 1) {
      const { error } = await failureFor([{ body: whole.slice(0, end) }], { maxAttempts: 1 });
      assert.equal(error.code, 'THREATFOX_TRUNCATED_RESPONSE', `cut after ${end} bytes`);
    }
  });

  test('reports other text as not JSON', async () => {
    for (const body of ['<html>challenge</html>', '{"query_status": <b>', '{"a": 1} trailing']) {
      const { error, requests } = await failureFor([{ body }]);
      assert.equal(error.code, 'THREATFOX_UNEXPECTED_RESPONSE', body);
      assert.equal(requests, 1, body);
    }
  });
});

describe('fetchThreatFox Auth-Key handling', () => {
  test('rejects a 401 without retrying', async () => {
    const { error, requests } = await failureFor([
      jsonResponse({ query_status: 'unknown_auth_key' }, 401),
    ]);
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'THREATFOX_AUTH_REJECTED');
    assert.match(error.message, /HTTP 401, query_status "unknown_auth_key"/);
    assert.equal(requests, 1);
  });

  test('rejects unknown_auth_key in a 200', async () => {
    const { error } = await failureFor([jsonResponse({ query_status: 'unknown_auth_key' })]);
    assert.equal(error.code, 'THREATFOX_AUTH_REJECTED');
  });

  test('does not follow a redirect', async () => {
    const target = await startFakeThreatFox(jsonResponse({ query_status: 'ok', data: [] }));
    try {
      const { error } = await failureFor([
        { status: 307, body: '', headers: { location: target.url } },
      ]);
      assert.equal(error.code, 'THREATFOX_HTTP_ERROR');
      assert.match(error.message, /redirect/);
      assert.equal(target.requests.length, 0);
    } finally {
      await target.close();
    }
  });

  test('rejects plain http to another host', async () => {
    await assert.rejects(
      fetchThreatFox(RECENT, { authKey: KEY, baseUrl: 'http://threatfox.example/api/v1/' }),
      (error: unknown) => error instanceof ConfigError && error.code === 'INVALID_THREATFOX_URL',
    );
  });

  test('rejects a key with a line break', async () => {
    await assert.rejects(
      fetchThreatFox(RECENT, {
        authKey: `${KEY}\r\nX-Injected: 1`,
        baseUrl: 'http://127.0.0.1:9/',
      }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === 'THREATFOX_AUTH_KEY_INVALID' &&
        !error.message.includes(KEY),
    );
  });

  test('rejects days outside 1 to 7 before sending', async () => {
    await assert.rejects(
      fetchThreatFox({ kind: 'recent', days: 8 }, { authKey: KEY, baseUrl: 'http://127.0.0.1:9/' }),
      UsageError,
    );
  });

  test('redacts a key echoed in a good answer', async () => {
    const server = await startFakeThreatFox(
      jsonResponse({ query_status: 'ok', data: [], echo: { 'Auth-Key': KEY } }),
    );
    try {
      const response = await fetchThreatFox(RECENT, clientOptions(server));
      assert.ok(!response.body.includes(KEY));
      assert.match(response.body, /\[redacted Auth-Key\]/);
      assert.deepEqual(
        response.issues.map((issue) => issue.code),
        ['THREATFOX_KEY_IN_RESPONSE'],
      );
    } finally {
      await server.close();
    }
  });

  test('keeps the key out of every failure', async () => {
    const echo = `echo Auth-Key: ${KEY}`;
    const failures: ScriptedResponse[][] = [
      [{ status: 500, body: echo }],
      [{ status: 429, body: echo, headers: { 'retry-after': '99999' } }],
      [{ status: 401, body: JSON.stringify({ query_status: KEY }) }],
      [{ status: 404, body: echo }],
      [{ status: 302, body: echo, headers: { location: `http://127.0.0.1:9/?key=${KEY}` } }],
      [{ body: echo }],
      [jsonResponse({ query_status: `illegal_${KEY}`, data: KEY })],
      [jsonResponse({ query_status: 'ok', data: KEY })],
      ['hang'],
      ['reset'],
    ];
    for (const responses of failures) {
      const { error } = await failureFor(responses, { timeoutMs: 50, maxAttempts: 2 });
      const texts = [
        error.message,
        String(error.stack),
        JSON.stringify(error),
        String(error.cause),
      ];
      for (const text of texts) {
        assert.ok(!text.includes(KEY), `key leaked by ${JSON.stringify(responses)}: ${text}`);
      }
    }
  });
});

describe('parseRetryAfter', () => {
  test('reads delay seconds', () => {
    assert.equal(parseRetryAfter('120', 0), 120_000);
  });

  test('reads an HTTP date', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
  });

  test('ignores a missing or invalid header', () => {
    assert.equal(parseRetryAfter(null, 0), undefined);
    assert.equal(parseRetryAfter('soon', 0), undefined);
  });
});
