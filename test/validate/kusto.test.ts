import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kqlIdentifier } from '../../src/backends/kql/kql.escape.js';
import { getPlatformSchemas, type Platform } from '../../src/pipeline/schemas.js';
import {
  checkKql,
  findLineStarts,
  offsetToLineColumn,
  type KqlDiagnostic,
} from '../../src/validate/kusto.js';

/** Returns `[severity, code, line, column, length]` of each diagnostic, for exact comparison. */
function summarize(diagnostics: KqlDiagnostic[]): Array<[string, string, number, number, number]> {
  return diagnostics.map((item) => [
    item.severity,
    item.code,
    item.line,
    item.column,
    item.end - item.start,
  ]);
}

/** Changes the last letter of a column name, as a typo would. */
function misspell(name: string): string {
  const last = name.at(-1) === 'x' ? 'y' : 'x';
  return `${name.slice(0, -1)}${last}`;
}

for (const platform of ['sentinel', 'defender'] as const) {
  describe(`checkKql on ${platform}`, () => {
    for (const schema of getPlatformSchemas(platform)) {
      const columns = schema.columns.map((column) => kqlIdentifier(column.name));
      const stringColumn = schema.columns.find((column) => column.type === 'string');

      it(`accepts every column of ${schema.name}`, () => {
        const query = `${schema.name}\n| project ${columns.join(', ')}\n| take 10`;
        assert.deepEqual(checkKql(query, { platform }), []);
      });

      it(`rejects a misspelled column of ${schema.name}`, () => {
        assert.ok(stringColumn, `${schema.name} has no string column`);
        const typo = misspell(stringColumn.name);
        const query = `${schema.name}\n| where ${typo} == "x"`;
        const diagnostics = checkKql(query, { platform });

        assert.deepEqual(summarize(diagnostics), [['error', 'KS142', 2, 9, typo.length]]);
        assert.match(diagnostics[0]?.message ?? '', new RegExp(`'${typo}'`));
      });
    }

    it('rejects an unknown table', () => {
      const diagnostics = checkKql('DeviceNetworkEvent | take 1', { platform });
      assert.deepEqual(summarize(diagnostics), [['error', 'KS204', 1, 1, 18]]);
    });

    it('rejects a table name in the wrong case', () => {
      const diagnostics = checkKql('devicenetworkevents | take 1', { platform });
      assert.deepEqual(summarize(diagnostics), [['error', 'KS204', 1, 1, 19]]);
    });

    it('rejects a column name in the wrong case', () => {
      const diagnostics = checkKql('DeviceNetworkEvents | where remoteip == "x"', { platform });
      assert.deepEqual(summarize(diagnostics), [['error', 'KS142', 1, 29, 8]]);
    });
  });
}

const sentinel = { platform: 'sentinel' as Platform };
const defender = { platform: 'defender' as Platform };

describe('checkKql platform differences', () => {
  it('knows TimeGenerated only on sentinel', () => {
    const query = 'DeviceProcessEvents | where TimeGenerated > ago(1d)';
    assert.deepEqual(checkKql(query, sentinel), []);
    assert.deepEqual(summarize(checkKql(query, defender)), [['error', 'KS142', 1, 29, 13]]);
  });

  it('knows DnsEvents only on sentinel', () => {
    const query = 'DnsEvents | where Name == "evil.example"';
    assert.deepEqual(checkKql(query, sentinel), []);
    assert.deepEqual(summarize(checkKql(query, defender)), [['error', 'KS204', 1, 1, 9]]);
  });
});

describe('checkKql query forms', () => {
  it('warns on watchlist columns only after _GetWatchlist', () => {
    const query = [
      "let watchlist = (_GetWatchlist('ipwatchlist') | project IPAddress, Note = 'x;)');",
      'CommonSecurityLog',
      '| where TimeGenerated > ago(1d)',
      '| where DestinationIP in (watchlist)',
      '| project DestinationIPAddress',
    ].join('\n');
    const found = checkKql(query, sentinel).map((item) => [item.severity, item.code, item.line]);
    assert.deepEqual(found, [
      ['warning', 'KS142', 1],
      ['error', 'KS142', 5],
    ]);
  });

  it('keeps errors outside the watchlist rows', () => {
    const levels = (query: string): string[][] =>
      checkKql(query, sentinel)
        .filter((item) => item.code === 'KS142')
        .map((item) => [item.severity, query.slice(item.start, item.end)]);
    // A comment or a string that names the function reads no watchlist.
    assert.deepEqual(
      levels('// uses _GetWatchlist("x")\nCommonSecurityLog | where DestinatonIP == "a"'),
      [['error', 'DestinatonIP']],
    );
    assert.deepEqual(
      levels('CommonSecurityLog | where Message != "_GetWatchlist(\\"x\\")" | project Bad1'),
      [['error', 'Bad1']],
    );
    // A joined table's subquery reads its own columns.
    assert.deepEqual(
      levels(
        "_GetWatchlist('w') | join kind=inner (CommonSecurityLog | extend Bad2 = DestinatonIP) on $left.SearchKey == $right.DestinationIP | project Port",
      ),
      [
        ['error', 'DestinatonIP'],
        ['warning', 'Port'],
      ],
    );
  });

  it('accepts line and trailing comments', () => {
    const query = '// hunt for one address\nDeviceNetworkEvents // table\n| take 1 // end';
    assert.deepEqual(checkKql(query, sentinel), []);
  });

  it('accepts let statements and a trailing semicolon', () => {
    const query =
      'let ips = dynamic(["1.2.3.4"]);\nDeviceNetworkEvents\n| where RemoteIP in (ips);';
    assert.deepEqual(checkKql(query, sentinel), []);
  });

  it('accepts two query statements', () => {
    const query = 'DeviceNetworkEvents | take 1; DeviceFileEvents | take 1';
    assert.deepEqual(checkKql(query, sentinel), []);
  });

  it('rejects a let statement missing its semicolon', () => {
    const query = 'let x = 1\nDeviceNetworkEvents | take x';
    const diagnostics = checkKql(query, sentinel);
    assert.ok(diagnostics.length > 0);
    assert.equal(diagnostics[0]?.severity, 'error');
  });

  it('rejects a trailing pipe', () => {
    const diagnostics = checkKql('DeviceNetworkEvents\n| where RemoteIP == "1"\n|', sentinel);
    assert.deepEqual(summarize(diagnostics), [['error', 'KS176', 3, 2, 0]]);
  });

  it('rejects an unterminated string', () => {
    const diagnostics = checkKql('DeviceNetworkEvents | where RemoteIP == "1.2.3.4', sentinel);
    assert.ok(diagnostics.some((item) => item.severity === 'error' && item.code === 'KS001'));
  });

  it('rejects a non-boolean where', () => {
    const diagnostics = checkKql('DeviceNetworkEvents | where RemoteIP = "1"', sentinel);
    assert.deepEqual(summarize(diagnostics), [['error', 'KS141', 1, 29, 14]]);
  });

  it('counts lines across CRLF', () => {
    const query = 'DeviceNetworkEvents\r\n| where RemoteIP == "1"\r\n| project Nope';
    assert.deepEqual(summarize(checkKql(query, sentinel)), [['error', 'KS142', 3, 11, 4]]);
  });

  it('warns about a join without a kind', () => {
    const query = 'DeviceNetworkEvents | join (DeviceFileEvents) on DeviceId';
    assert.deepEqual(summarize(checkKql(query, sentinel)), [['warning', 'KS508', 1, 23, 4]]);
  });

  it('skips the analyzers when asked', () => {
    const query = 'DeviceNetworkEvents | join (DeviceFileEvents) on DeviceId';
    assert.deepEqual(checkKql(query, { platform: 'sentinel', analyzers: false }), []);
  });

  it('reports nothing for empty text', () => {
    assert.deepEqual(checkKql('', sentinel), []);
  });

  it('reports offsets that point at the bad name', () => {
    const query = 'DeviceFileEvents | where SHA256 == "x" and Sha1 == "y"';
    const [diagnostic] = checkKql(query, sentinel);
    assert.ok(diagnostic);
    assert.equal(query.slice(diagnostic.start, diagnostic.end), 'Sha1');
  });
});

describe('offsetToLineColumn', () => {
  const text = 'ab\ncd\r\nef\rgh';
  const starts = findLineStarts(text);

  it('finds every line start', () => {
    assert.deepEqual(starts, [0, 3, 7, 10]);
  });

  const cases: Array<[number, number, number]> = [
    [0, 1, 1],
    [1, 1, 2],
    [2, 1, 3],
    [3, 2, 1],
    [5, 2, 3],
    [6, 2, 4],
    [7, 3, 1],
    [10, 4, 1],
    [12, 4, 3],
  ];
  for (const [offset, line, column] of cases) {
    it(`maps offset ${offset} to ${line}:${column}`, () => {
      assert.deepEqual(offsetToLineColumn(starts, offset), { line, column });
    });
  }
});
