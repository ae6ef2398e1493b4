import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as huntpack from '../src/index.js';
import { repoFile } from './helpers/shared.js';

test('version matches package.json', () => {
  const pkg = JSON.parse(readFileSync(repoFile('package.json'), 'utf8')) as { version: string };
  assert.equal(huntpack.HUNTPACK_VERSION, pkg.version);
});

test('public API exposes each stage', () => {
  for (const name of [
    'readFeeds',
    'normalizeIndicator',
    'buildHunts',
    'compileKql',
    'checkKql',
    'buildPacks',
    'writePack',
  ]) {
    assert.equal(typeof (huntpack as Record<string, unknown>)[name], 'function', name);
  }
});
