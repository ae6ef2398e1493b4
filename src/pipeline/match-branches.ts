/**
 * The match branches of each data source: which event columns a hunt compares with which
 * indicator column, and the `MatchedOn` label its hits get. The hunt builder and the check of
 * user exclusions both read them, so the labels an exclusion may name are the labels hits have.
 */
import type { HuntVariant, MatchBranch } from '../compile/ir.js';
import {
  addressKeyColumns,
  hostKeyColumns,
  portKeyColumns,
  urlKeyColumns,
  type DataSourceEntry,
} from './data-sources.js';

/** Returns the branches of `source` in hunts of `variant`, none when it has no such columns. */
export function matchBranches(source: DataSourceEntry, variant: HuntVariant): MatchBranch[] {
  switch (variant) {
    case 'port-aware':
      return source.endpoints.map((endpoint) => ({
        label: endpoint.side,
        keys: [
          { ...addressKeyColumns(endpoint), iocColumn: 'IocAddress', normalization: 'ip' },
          { ...portKeyColumns(endpoint), iocColumn: 'IocPort', normalization: 'exact' },
        ],
      }));
    case 'address-only':
      return [
        ...source.endpoints.map((endpoint): MatchBranch => ({
          label: endpoint.side,
          keys: [{ ...addressKeyColumns(endpoint), iocColumn: 'IocAddress', normalization: 'ip' }],
        })),
        ...(source.answerAddressColumns ?? []).map((column): MatchBranch => ({
          label: column,
          keys: [{ column, addressList: true, iocColumn: 'IocAddress', normalization: 'ip' }],
        })),
      ];
    case 'domain':
      return source.hostColumns.map((column) =>
        withArrayLabel({
          label: column,
          keys: [
            {
              ...hostKeyColumns(source, column),
              iocColumn: 'IocDomain',
              normalization: 'host-suffix',
            },
          ],
        }),
      );
    case 'url':
      return source.urlColumns.map((column) =>
        withArrayLabel({
          label: column,
          keys: [{ ...urlKeyColumns(source, column), iocColumn: 'IocUrl', normalization: 'url' }],
        }),
      );
    case 'hash':
      return source.hashColumns.map((column) => ({
        label: column,
        keys: [{ column, iocColumn: 'IocHash', normalization: 'lower' }],
      }));
  }
}

/**
 * Labels the hits that a branch finds only in the array column of its key with that column's
 * name, as domain and URL branches are labelled with the column they read. A UrlClickEvents hit
 * found only in the redirect chain then has `MatchedOn` UrlChain, and one in Url itself has Url.
 */
function withArrayLabel(branch: MatchBranch): MatchBranch {
  const array = branch.keys.find((key) => key.arrayColumn !== undefined)?.arrayColumn;
  return array === undefined ? branch : { ...branch, arrayLabel: array };
}

/**
 * Tells whether a branch reads the indicator's own value, or its host, from `column`: as the
 * key's column, its fallback address column, the host column of a path-only URL, or an array
 * of further values. A port column does not count.
 */
export function branchReadsIndicatorFrom(branch: MatchBranch, column: string): boolean {
  return branch.keys.some(
    (key) =>
      key.iocColumn !== 'IocPort' &&
      (key.column === column ||
        key.fallbackColumn === column ||
        key.hostColumn === column ||
        key.arrayColumn === column),
  );
}
