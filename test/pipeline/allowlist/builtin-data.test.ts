import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUILT_IN_POLICIES } from '../../../src/pipeline/allowlist/builtin-catalog.js';
import { builtInAllowlistNames, loadAllowlists } from '../../../src/pipeline/allowlist/index.js';
import {
  checkWarninglist,
  kindsForAttributes,
  readWarninglist,
} from '../../../src/pipeline/allowlist/warninglist.js';
import { repoFile, sharedFile, skipWithoutShared } from '../../helpers/shared.js';

const lists = loadAllowlists();

test('catalog kinds match the files', () => {
  for (const policy of BUILT_IN_POLICIES) {
    const list = readWarninglist(repoFile(`data/warninglists/${policy.name}/list.json`));
    assert.equal(list.name.length > 0, true);
    const fromFile = [...kindsForAttributes(list.matchingAttributes, list.type)].sort();
    assert.deepEqual([...policy.kinds].sort(), fromFile, policy.name);
  }
});

test(
  'bundled lists equal the shared copies byte for byte',
  { skip: skipWithoutShared('warninglists') },
  () => {
    for (const name of [...BUILT_IN_POLICIES.map((policy) => policy.name), 'dynamic-dns']) {
      const bundled = readFileSync(repoFile(`data/warninglists/${name}/list.json`));
      const shared = readFileSync(sharedFile(`warninglists/${name}/list.json`));
      assert.ok(bundled.equals(shared), name);
    }
  },
);

test('built-in names include own lists in order', () => {
  const names = builtInAllowlistNames();
  assert.ok(names.indexOf('rfc6761') < names.indexOf('special-ranges'));
  assert.ok(names.indexOf('special-ranges') < names.indexOf('sinkholes'));
  assert.ok(names.indexOf('sinkholes') < names.indexOf('cloudflare'));
  assert.ok(names.indexOf('trusted-platforms') < names.indexOf('security-provider-blogpost'));
  assert.equal(names.indexOf('customer-zones'), names.indexOf('trusted-platforms') + 1);
  assert.equal(names.at(-1), 'tranco10k');
  assert.ok(!names.includes('dynamic-dns'));
});

test('summary counts the large lists', () => {
  const byName = new Map(lists.summarize().map((summary) => [summary.name, summary]));
  assert.equal(byName.get('public-dns-v4')?.entries, 62745);
  assert.equal(byName.get('public-dns-v4')?.version, 20240615);
  assert.equal(byName.get('tranco10k')?.entries, 10000);
  assert.equal(byName.get('special-ranges')?.skipped, 0);
  assert.equal(byName.get('trusted-platforms')?.skipped, 0);
  for (const summary of byName.values()) {
    assert.ok(summary.entries > 0, summary.name);
  }
});

test('odd public-dns-hostname entries are skipped and reported', () => {
  const summary = lists.summarize().find((item) => item.name === 'public-dns-hostname')!;
  assert.equal(summary.entries + summary.skipped, 34783);
  const source = lists.sources.find((item) => item.name === 'public-dns-hostname')!;
  const skipped = source.compile().skippedEntries;
  assert.ok(skipped.includes('252/24.127.188.93.mifril.ru'));
  assert.ok(skipped.includes('static-185.132.201.202.andorpac.ad\\ '));
  assert.equal(skipped.filter((entry) => entry.includes('/')).length, 2);
  const issue = lists.issues().find((item) => item.source?.file === 'public-dns-hostname');
  assert.equal(issue?.code, 'ALLOWLIST_ENTRIES_SKIPPED');
  assert.equal(issue?.severity, 'info');
  assert.match(issue?.message ?? '', new RegExp(`^Skipped ${skipped.length} entries`));
});

test('domain|ip adds kinds by list type', () => {
  assert.deepEqual([...kindsForAttributes(['domain|ip'], 'cidr')], ['ip', 'ip-port']);
  assert.deepEqual([...kindsForAttributes(['domain|ip'], 'string')], ['domain']);
  assert.equal(kindsForAttributes(undefined, 'string').size, 7);
  assert.deepEqual([...kindsForAttributes(['sha512', 'ssdeep'], 'string')], []);
});

test('warninglist with a string version is rejected', () => {
  const list = { name: 'x', version: '5', description: 'd', type: 'cidr', list: [] };
  assert.throws(() => checkWarninglist(list, 'lists/x/list.json'), {
    name: 'ConfigError',
    code: 'INVALID_WARNINGLIST',
    message:
      'Invalid field "version" in the warninglist lists/x/list.json: expected an integer, found string "5".',
  });
});

test('warninglist with an unknown type is rejected', () => {
  const list = { name: 'x', version: 1, description: 'd', type: 'glob', list: ['a'] };
  assert.throws(() => checkWarninglist(list, 'x.json'), {
    message:
      /"type" .*expected one of cidr, string, hostname, substring, regex, found string "glob"/,
  });
});
