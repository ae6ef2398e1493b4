/**
 * Set-up of the tests that run the KQL `UrlKey` function's patterns in DuckDB beside a DuckDB
 * hunt session. Kusto and DuckDB both use RE2, so a KQL pattern means the same in DuckDB.
 */
import { after, before } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compileKql } from '../../src/backends/kql/kql.backend.js';
import { DuckDbHuntSession } from '../../src/backends/duckdb/duckdb.session.js';
import { buildHunts } from '../../src/compile/build-hunts.js';
import type { Hunt } from '../../src/compile/ir.js';
import { getDataSource } from '../../src/pipeline/data-sources.js';
import { checkKql } from '../../src/validate/kusto.js';
import { makeIndicators } from './hunt-fixtures.js';

/**
 * Returns the CommonSecurityLog URL hunts of the URL indicators `urls`, and the KQL query of the
 * first, which defines `UrlKey`.
 */
export function urlHunts(urls: readonly string[]): { hunts: Hunt[]; query: string } {
  const hunts = buildHunts(makeIndicators(urls.map((url): [string, string] => ['url', url])), {
    family: 'Remcos',
    familySlug: 'remcos',
    lookback: { amount: 30, unit: 'd' },
    dataSources: [getDataSource('sentinel-commonsecuritylog')],
  }).filter((hunt) => hunt.variant === 'url');
  return { hunts, query: compileKql(hunts[0]!, { generatorVersion: 'test' }) };
}

/** Returns the errors that the Kusto check finds in a Microsoft Sentinel query. */
export function sentinelErrors(query: string) {
  return checkKql(query, { platform: 'sentinel' }).filter(
    (diagnostic) => diagnostic.severity === 'error',
  );
}

/**
 * Registers hooks of the enclosing suite that open an in-memory DuckDB connection and a hunt
 * session of `hunts` before its tests and close both after them.
 */
export function useDuckDb(hunts: Hunt[]): {
  /** Runs `sql` and returns the first column of its first row. */
  scalar: (sql: string) => Promise<unknown>;
  session: () => DuckDbHuntSession;
} {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  let session: DuckDbHuntSession;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    session = await DuckDbHuntSession.open(hunts);
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
    session.close();
  });
  return {
    scalar: async (sql) => {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRows()[0]![0];
    },
    session: () => session,
  };
}
