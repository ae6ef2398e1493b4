/**
 * Warnings about families whose names make their packs easy to confuse: a shared folder name,
 * names equal after NFKC and case folding, and names that mix Latin with Cyrillic or Greek.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyFolderWarnings, type PackFolderSummary } from '../../src/cli/build-warnings.js';

const REMCOS: PackFolderSummary = {
  family: 'Remcos',
  malpedia: 'win.remcos',
  folder: 'packs/remcos',
  indicators: 2,
};
const DECOY: PackFolderSummary = {
  family: 'Remcos!',
  malpedia: 'win.remcos_',
  folder: 'packs/remcos-2',
  indicators: 1,
};

test('shared folder names both families', () => {
  const warnings = familyFolderWarnings([DECOY, REMCOS]);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  const [warning] = warnings;
  assert.match(warning!, /^2 families fold to the folder name remcos: /);
  assert.ok(warning!.includes('Remcos (win.remcos, 2 indicators) in packs/remcos,'), warning);
  assert.ok(warning!.includes('Remcos! (win.remcos_, 1 indicator) in packs/remcos-2.'), warning);
  assert.ok(warning!.includes('packs/remcos went to Remcos,'), warning);
});

test('same name keeps Malpedia id wording', () => {
  const other = { ...REMCOS, malpedia: undefined, folder: 'packs/remcos-2', indicators: 1 };
  const warnings = familyFolderWarnings([other, REMCOS]);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^2 packs are named Remcos, because the feeds give the name/);
  assert.match(warnings[0]!, /or a decoy under the name of a real one: check the ids/);
  assert.match(
    warnings[0]!,
    /packs\/remcos \(win\.remcos, 2 indicators\), packs\/remcos-2 \(no Malpedia id/,
  );
});

test('fullwidth name shares folder warning', () => {
  const fullwidth = { family: 'Ｒｅｍｃｏｓ', folder: 'packs/remcos-2', indicators: 1 };
  const warnings = familyFolderWarnings([REMCOS, fullwidth]);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.ok(warnings[0]!.includes('Ｒｅｍｃｏｓ (no Malpedia id, 1 indicator) in packs/remcos-2'));
});

test('look-alike names with other folders', () => {
  // Greek final sigma and sigma fold together, but names without Latin letters get hashed folders.
  const first = { family: 'ΣΑΣ', folder: 'packs/family-1', indicators: 1 };
  const second = { family: 'σας', folder: 'packs/family-2', indicators: 1 };
  const warnings = familyFolderWarnings([first, second]);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0]!, /^2 families have names that differ only in letter width/);
  assert.ok(warnings[0]!.includes('ΣΑΣ (no Malpedia id, 1 indicator) in packs/family-1'));
  assert.ok(warnings[0]!.includes('σας (no Malpedia id, 1 indicator) in packs/family-2'));
});

test('mixed script name gets warning', () => {
  const cyrillic = { family: 'R\u0435mcos', folder: 'packs/r-mcos', indicators: 1 };
  const greek = { family: 'Rem\u03bfos', folder: 'packs/rem-os', indicators: 1 };
  const warnings = familyFolderWarnings([REMCOS, cyrillic, greek]);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(
    warnings[0]!,
    /^the family R\u0435mcos \(no Malpedia id, 1 indicator\) in packs\/r-mcos mixes Latin with Cyrillic letters/,
  );
  assert.match(warnings[1]!, /in packs\/rem-os mixes Latin with Greek letters/);
});

test('distinct plain names get no warning', () => {
  const emotet = {
    family: 'Emotet',
    malpedia: 'win.emotet',
    folder: 'packs/emotet',
    indicators: 3,
  };
  const cyrillicOnly = { family: 'Вирус', folder: 'packs/family-3', indicators: 1 };
  assert.deepEqual(familyFolderWarnings([REMCOS, emotet, cyrillicOnly]), []);
});
