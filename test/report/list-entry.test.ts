import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defangEntry } from '../../src/report/list-entry.js';

test('defangs each kind of entry', () => {
  const cases: Array<[string, string]> = [
    ['45.9.148.0/24', '45[.]9[.]148[.]0/24'],
    ['203.0.113.5', '203[.]0[.]113[.]5'],
    ['2a01:4f8::/32', '[2a01[:]4f8[:][:]]/32'],
    ['2001:DB8::1', '[2001[:]DB8[:][:]1]'],
    ['::ffff:192.0.2.0/120', '[[:][:]ffff[:]192[.]0[.]2[.]0]/120'],
    ['evil.example.com', 'evil[.]example[.]com'],
    ['.google.ad', '[.]google[.]ad'],
    ['https://evil.example.com/a.exe', 'hxxps://evil[.]example[.]com/a.exe'],
    ['http://[2001:db8::1]:8080/x', 'hxxp://[2001[:]db8[:][:]1]:8080/x'],
    ['0123456789abcdef0123456789abcdef', '0123456789abcdef0123456789abcdef'],
    ['regex:^c2.duckdns.org$', 'regex:^c2[.]duckdns[.]org$'],
  ];
  for (const [entry, expected] of cases) assert.equal(defangEntry(entry), expected, entry);
});
