import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadUserExclusions, parseUserExclusions } from '../../src/pipeline/user-exclusions.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigError } from '../../src/errors.js';
import { repoFile } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

test('user exclusions load with tables inferred', async () => {
  const scenarios = await loadUserExclusions(repoFile('test/fixtures/exclusions/scanner.yaml'));
  assert.equal(scenarios.length, 2);
  const [scanner, admin] = scenarios;
  assert.equal(scanner!.id, 'corp-scanner');
  assert.deepEqual(scanner!.tables, ['CommonSecurityLog']);
  assert.deepEqual(scanner!.filter, {
    kind: 'in',
    column: 'SourceIP',
    values: ['10.20.0.15', '10.20.0.16'],
  });
  assert.equal(scanner!.enabledByDefault, true);
  assert.deepEqual(admin!.tables, ['DeviceNetworkEvents']);
  assert.deepEqual(admin!.variants, ['port-aware', 'address-only']);
});

test('always-true user exclusion is rejected', async () => {
  await assert.rejects(
    loadUserExclusions(repoFile('test/fixtures/exclusions/always-true.yaml')),
    /exclusion "broken": on DeviceNetworkEvents: The exclusion is always true/,
  );
});

test('unknown column in user exclusion is rejected', () => {
  const text =
    'exclusions:\n  - id: x\n    tables: [DeviceNetworkEvents]\n    filter: process.name == "a.exe"\n';
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    /exclusion "x": on DeviceNetworkEvents: .*process\.name/,
  );
});

test('syntax error in user exclusion names the filter', () => {
  const text = 'exclusions:\n  - id: x\n    filter: SourceIP == \n';
  assert.throws(() => parseUserExclusions(text, 'x.yaml'), /exclusion "x": invalid filter/);
});

test('malformed exclusions file is rejected', () => {
  assert.throws(
    () => parseUserExclusions('exclusions: 3\n', 'x.yaml'),
    /must hold a list under the key "exclusions"/,
  );
  assert.throws(
    () => parseUserExclusions('exclusions:\n  - title: t\n', 'x.yaml'),
    /missing or invalid "id"/,
  );
  assert.throws(
    () =>
      parseUserExclusions(
        'exclusions:\n  - id: a\n    filter: SourceIP == "1"\n  - id: a\n    filter: SourceIP == "2"\n',
        'x.yaml',
      ),
    /used twice/,
  );
});

test('every invalid user exclusion is listed', () => {
  const text = [
    'exclusions:',
    '  - id: good',
    '    filter: SourceIP == "10.0.0.1"',
    '  - id: bad-syntax',
    '    filter: SourceIP == ',
    '  - filter: SourceIP == "10.0.0.2"',
    '  - id: bad-column',
    '    tables: [DeviceNetworkEvents]',
    '    filter: process.name == "a.exe"',
    '',
  ].join('\n');
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_EXCLUSION');
      assert.match(error.message, /^3 faults in the exclusions:\n/);
      assert.match(error.message, /\n {2}x\.yaml:5: exclusion "bad-syntax": invalid filter/);
      assert.match(error.message, /\n {2}x\.yaml:6: exclusion 3: missing or invalid "id"/);
      assert.match(
        error.message,
        /\n {2}x\.yaml:9: exclusion "bad-column": on DeviceNetworkEvents: .*process\.name/,
      );
      assert.doesNotMatch(error.message, /good/);
      return true;
    },
  );
});

test('every fault of one entry is listed', () => {
  const text = [
    'exclusions:',
    '  - id: twice',
    '    filter: SourceIP == "10.0.0.1"',
    '  - id: twice',
    '    variants: [port-aware, nope]',
    '    tables: DeviceNetworkEvents',
    '    filter: SourceIP has "10."',
    '',
  ].join('\n');
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_EXCLUSION');
      assert.match(error.message, /^4 faults in the exclusions:\n/);
      assert.match(error.message, /\n {2}x\.yaml:4: exclusion "twice": the id is used twice\./);
      assert.match(error.message, /\n {2}x\.yaml:5: exclusion "twice": unknown variant "nope"/);
      assert.match(error.message, /\n {2}x\.yaml:6: exclusion "twice": "tables" must be a list/);
      assert.match(
        error.message,
        /\n {2}x\.yaml:7: exclusion "twice": invalid filter .* at column 10: Unknown operator "has"/,
      );
      return true;
    },
  );
});

test('single fault carries file and line', () => {
  const text = 'exclusions:\n  - id: a\n    filter: SourceIP == "1"\n  - id: b\n';
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: ConfigError) => {
      assert.equal(error.code, 'INVALID_EXCLUSION');
      assert.equal(error.message, 'exclusion "b": missing "filter".');
      assert.deepEqual(error.source, { file: 'x.yaml', line: 4 });
      return true;
    },
  );
});

test('all YAML syntax errors are listed', () => {
  const text = 'exclusions:\n  - id: a\n    filter: [unclosed\n  - id: b: c\n';
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: ConfigError) => {
      assert.equal(error.code, 'INVALID_EXCLUSIONS_FILE');
      assert.match(error.message, /^2 YAML syntax errors:\n/);
      assert.match(error.message, /\n {2}x\.yaml:4:3: Flow sequence in block collection/);
      assert.match(error.message, /\n {2}x\.yaml:4:9: Nested mappings are not allowed/);
      return true;
    },
  );
});

test('one YAML syntax error gets its line', () => {
  const text = 'exclusions:\n  - id: "a\n';
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: ConfigError) => {
      assert.equal(error.code, 'INVALID_EXCLUSIONS_FILE');
      assert.match(error.message, /^Invalid YAML: /);
      assert.equal(error.source?.file, 'x.yaml');
      assert.equal(typeof error.source?.line, 'number');
      return true;
    },
  );
});

test('unknown column gets close names', () => {
  const text = 'exclusions:\n  - id: typo\n    filter: SourceIPP == "10.0.0.2"\n';
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: ConfigError) => {
      assert.match(error.message, /Column "SourceIPP" exists in none of the tables/);
      assert.match(error.message, /Close column names: SourceIP\./);
      assert.doesNotMatch(error.message, /set "tables"/);
      assert.equal(error.source?.line, 3);
      return true;
    },
  );
});

test('column of another table is named', () => {
  const text = [
    'exclusions:',
    '  - id: wrong-table',
    '    tables: [DeviceNetworkEvents]',
    '    filter: SourceIP == "10.0.0.2"',
    '  - id: two-tables',
    '    filter: SourceIP == "10.0.0.2" and RemoteUrl == "a.example"',
    '',
  ].join('\n');
  assert.throws(
    () => parseUserExclusions(text, 'x.yaml'),
    (error: ConfigError) => {
      assert.match(
        error.message,
        /x\.yaml:4: exclusion "wrong-table": on DeviceNetworkEvents: .*Column "SourceIP" is in CommonSecurityLog\. List that table in "tables"/,
      );
      assert.match(
        error.message,
        /x\.yaml:6: exclusion "two-tables": No table has every column the filter names: "SourceIP" is in CommonSecurityLog; "RemoteUrl" is in DeviceNetworkEvents/,
      );
      return true;
    },
  );
});

test('loaded file fault has line', async (t) => {
  const folder = makeTempDir('exclusions', t);
  const file = join(folder, 'excl.yaml');
  await writeFile(file, 'exclusions:\n\n  - id: a\n    filter: Foo == 1\n');
  await assert.rejects(loadUserExclusions(file), (error: ConfigError) => {
    assert.deepEqual(error.source, { file, line: 4 });
    assert.match(error.message, /^exclusion "a": Column "Foo" exists in none of the tables/);
    return true;
  });
});

test('never-true user exclusion is kept with a warning', () => {
  const text = [
    'exclusions:',
    '  - id: never',
    '    filter: SourceIP == "1.2.3.4" and SourceIP == "1.2.3.5"',
    '  - id: sound',
    '    filter: SourceIP == "10.0.0.1"',
    '',
  ].join('\n');
  const warnings: string[] = [];
  const scenarios = parseUserExclusions(text, 'x.yaml', warnings);
  assert.deepEqual(
    scenarios.map((scenario) => scenario.id),
    ['never', 'sound'],
  );
  assert.deepEqual(warnings, [
    'x.yaml:3: exclusion "never": on CommonSecurityLog: The exclusion is never true, so it removes nothing.',
  ]);
});

test('negated indicator column gets a warning', () => {
  const text = [
    'exclusions:',
    '  - id: outside',
    '    filter: not(ipv4_is_in_any_range(SourceIP, "10.0.0.0/8", "192.168.0.0/16"))',
    '  - id: not-scanner',
    '    filter: SourceIP != "10.0.0.9" and DeviceAction == "deny"',
    '  - id: scanner',
    '    filter: SourceIP in ("10.0.0.1", "10.0.0.2")',
    '  - id: told-apart',
    '    filter: not(ipv4_is_in_any_range(SourceIP, "10.0.0.0/8")) and MatchedOn != "source"',
    '  - id: not-remote',
    '    tables: [DeviceNetworkEvents]',
    '    filter: not(RemoteUrl endswith ".corp.example")',
    '  - id: not-corp',
    '    tables: [CommonSecurityLog]',
    '    filter: not(DestinationHostName endswith ".corp.example")',
    '  - id: not-internal-remote',
    '    tables: [DeviceNetworkEvents]',
    '    filter: not(ipv4_is_in_any_range(RemoteIP, "10.0.0.0/8"))',
    '  - id: not-corp-told-apart',
    '    tables: [CommonSecurityLog]',
    '    filter: >-',
    '      not(DestinationHostName endswith ".corp.example")',
    '      and MatchedOn !in ("destination", "DestinationHostName", "RequestURL")',
    '',
  ].join('\n');
  const warnings: string[] = [];
  const scenarios = parseUserExclusions(text, 'x.yaml', warnings);
  assert.equal(scenarios.length, 8);
  assert.deepEqual(warnings, [
    'x.yaml:3: exclusion "outside": on CommonSecurityLog: SourceIP contains the indicator itself on hits with MatchedOn "source", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn != "source".',
    'x.yaml:5: exclusion "not-scanner": on CommonSecurityLog: SourceIP contains the indicator itself on hits with MatchedOn "source", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn != "source".',
    'x.yaml:12: exclusion "not-remote": on DeviceNetworkEvents: RemoteUrl contains the indicator itself on hits with MatchedOn "RemoteUrl", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn != "RemoteUrl".',
    'x.yaml:15: exclusion "not-corp": on CommonSecurityLog: DestinationHostName contains the indicator itself on hits with MatchedOn one of "destination", "DestinationHostName", "RequestURL", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn !in ("destination", "DestinationHostName", "RequestURL").',
    'x.yaml:18: exclusion "not-internal-remote": on DeviceNetworkEvents: RemoteIP contains the indicator itself on hits with MatchedOn "remote", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn != "remote". Every address hit on DeviceNetworkEvents has MatchedOn "remote", so with that clause the exclusion removes no address hit.',
  ]);
});

test('negated redirect chain names both labels', () => {
  const text = [
    'exclusions:',
    '  - id: not-chain',
    '    tables: [UrlClickEvents]',
    '    filter: not(UrlChain contains "corp.example")',
    '  - id: not-clicked',
    '    tables: [UrlClickEvents]',
    '    filter: not(Url contains "corp.example")',
    '',
  ].join('\n');
  const warnings: string[] = [];
  const scenarios = parseUserExclusions(text, 'x.yaml', warnings);
  assert.equal(scenarios.length, 2);
  // A hit labelled Url usually has the clicked URL in the chain too, so UrlChain names both.
  assert.deepEqual(warnings, [
    'x.yaml:4: exclusion "not-chain": on UrlClickEvents: UrlChain contains the indicator itself on hits with MatchedOn one of "Url", "UrlChain", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn !in ("Url", "UrlChain").',
    'x.yaml:7: exclusion "not-clicked": on UrlClickEvents: Url contains the indicator itself on hits with MatchedOn "Url", and the filter tests it in the negative, so it may remove every such hit. To leave them alone, add: and MatchedOn != "Url".',
  ]);
});
