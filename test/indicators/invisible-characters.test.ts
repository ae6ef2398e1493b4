import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainToASCII } from 'node:url';
import {
  describeCharacters,
  isIdnaDisallowedFormat,
  isIdnaIgnored,
} from '../../src/indicators/invisible-characters.js';

test('character lists match IDNA mapping', () => {
  for (let code = 0x80; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    const hex = code.toString(16);
    const mapped = domainToASCII(`ev${char}il.com`);
    if (isIdnaIgnored(char)) {
      assert.equal(mapped, 'evil.com', `U+${hex} is listed as removed`);
    } else if (mapped === 'evil.com') {
      assert.fail(`U+${hex} is removed by IDNA mapping but not listed`);
    }
    if (isIdnaDisallowedFormat(char)) assert.equal(mapped, '', `U+${hex} is listed as rejected`);
  }
});

test('describeCharacters names each character', () => {
  assert.equal(describeCharacters(['\u200B']), 'U+200B (ZERO WIDTH SPACE)');
  assert.equal(
    describeCharacters(['\u00AD', '\u2061', '\u202E']),
    'U+00AD (SOFT HYPHEN), U+2061 and U+202E (RIGHT-TO-LEFT OVERRIDE)',
  );
});
