import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadUserExclusions, parseUserExclusions } from '../../src/pipeline/user-exclusions.js';
import { repoFile } from '../helpers/shared.js';

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
      assert.match(error.message, /^3 exclusions are invalid:\n/);
      assert.match(error.message, /\n {2}exclusion "bad-syntax": invalid filter/);
      assert.match(error.message, /\n {2}exclusion 3: missing or invalid "id"/);
      assert.match(
        error.message,
        /\n {2}exclusion "bad-column": on DeviceNetworkEvents: .*process\.name/,
      );
      assert.doesNotMatch(error.message, /good/);
      return true;
    },
  );
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
    'x.yaml: exclusion "never": on CommonSecurityLog: The exclusion is never true, so it removes nothing.',
  ]);
});
