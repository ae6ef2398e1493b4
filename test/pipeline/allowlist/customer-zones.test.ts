import assert from 'node:assert/strict';
import test from 'node:test';
import { applyAllowlists, loadAllowlists } from '../../../src/pipeline/allowlist/index.js';
import { domainIndicator } from './make-indicator.js';

const lists = loadAllowlists();

test('cloud VM reverse names stay huntable', () => {
  // The reverse DNS name of one Google Cloud VM, a Mythic C2 server in a ThreatFox export.
  const vm = domainIndicator('31.213.176.34.bc.googleusercontent.com');
  const result = applyAllowlists([vm], lists);
  assert.equal(result.setAside.length, 0, JSON.stringify(result.setAside));
  assert.equal(result.kept.length, 1);
});

test('popular names outside customer zones are set aside', () => {
  const result = applyAllowlists([domainIndicator('lh3.googleusercontent.com')], lists);
  assert.equal(result.kept.length, 0);
  assert.equal(result.setAside[0]?.list.startsWith('tranco'), true, result.setAside[0]?.list);
});
