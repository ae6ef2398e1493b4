import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { readText } from '../../src/feeds/text.js';
import { isReferenceSite } from '../../src/feeds/text-rules.js';

const DOT_FORMS = ['.', '[.]', '(.)', '{.}', '[dot]', '(dot)', '{DOT}', ' [dot] ', '[ . ]'];
const SCHEME_SEPARATORS = ['://', '[:]//', '[://]', ':[//]'];
const TLDS = ['com', 'net', 'org', 'ru', 'info', 'xyz', 'top', 'online', 'tech', 'co', 'de', 'me'];

const label = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,12}[a-z0-9])?$/)
  .filter((text) => text.slice(2, 4) !== '--');
// Reference sites (x.com, github.com, ...) written without defanging are dropped on purpose as
// links to sources, so they cannot round-trip; they are left out of the generated domains.
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom(...TLDS))
  .map(([labels, tld]) => [...labels, tld].join('.'))
  .filter((host) => !isReferenceSite(host, '/'));
const octet = fc.integer({ min: 0, max: 255 });
const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.'));
const port = fc.integer({ min: 0, max: 65535 });

/** IPv6 addresses in RFC 5952 form with at least two non-zero groups, as the reader requires. */
const ipv6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((groups) => new ipaddr.IPv6(groups).toRFC5952String())
  .filter((text) => text.split(':').filter((group) => group !== '').length >= 2)
  .filter((text) => !text.startsWith('::ffff:'));
const path = fc.stringMatching(/^(?:\/[A-Za-z0-9_-]{1,10}){0,3}(?:\?[a-z]=[A-Za-z0-9]{1,8})?$/);
const hex = (length: number) =>
  fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)).filter((text) => /[a-f]/.test(text));

/** Replaces each dot with a dot form chosen by index, so one value mixes several forms. */
function defangDots(value: string, forms: number[]): string {
  let index = 0;
  return value.replace(/\./g, () => DOT_FORMS[(forms[index++] ?? 0) % DOT_FORMS.length] ?? '.');
}

interface Case {
  type: string;
  value: string;
  defanged: string;
}

const dotChoices = fc.array(fc.nat(), { minLength: 8, maxLength: 8 });

const domainCase = fc.tuple(domain, dotChoices).map(([value, forms]): Case => ({
  type: 'domain',
  value,
  defanged: defangDots(value, forms),
}));

const ipv4Case = fc.tuple(ipv4, dotChoices).map(([value, forms]): Case => ({
  type: 'ip',
  value,
  defanged: defangDots(value, forms),
}));

const ipPortCase = fc
  .tuple(ipv4, port, dotChoices, fc.boolean())
  .map(([address, portNumber, forms, bracketColon]): Case => ({
    type: 'ip-port',
    value: `${address}:${portNumber}`,
    defanged: `${defangDots(address, forms)}${bracketColon ? '[:]' : ':'}${portNumber}`,
  }));

const ipv6Case = fc.tuple(ipv6, fc.nat()).map(([value, pick]): Case => {
  const colons = [...value.matchAll(/(?<!:):(?!:)/g)].map((match) => match.index);
  const at = colons[pick % Math.max(colons.length, 1)];
  const defanged = at === undefined ? value : `${value.slice(0, at)}[:]${value.slice(at + 1)}`;
  return { type: 'ip', value, defanged };
});

const urlCase = fc
  .tuple(
    fc.boolean(),
    fc.oneof(domain, ipv4),
    path,
    dotChoices,
    fc.constantFrom(...SCHEME_SEPARATORS),
    fc.constantFrom('xx', 'XX', 'tt'),
  )
  .map(([secure, host, urlPath, forms, separator, middle]): Case => {
    const scheme = `h${middle}p${secure ? 's' : ''}`;
    const hostForms = forms.map((form) => form % 4);
    return {
      type: 'url',
      value: `http${secure ? 's' : ''}://${host}${urlPath}`,
      defanged: `${scheme}${separator}${defangDots(host, hostForms)}${urlPath}`,
    };
  });

const hashCase = fc.constantFrom(32, 40, 64).chain((length) =>
  hex(length).map((value): Case => ({
    type: { 32: 'md5', 40: 'sha1', 64: 'sha256' }[length] ?? '',
    value,
    defanged: value,
  })),
);

const sentence = fc.tuple(
  fc.constantFrom('Seen ', 'C2: ', '- ', '(', '"', '| ', ''),
  fc.constantFrom('.', ',', ')', '"', ' today.', ' |', ''),
);

test('readText returns any defanged indicator unchanged', () => {
  fc.assert(
    fc.property(
      fc.oneof(domainCase, ipv4Case, ipPortCase, ipv6Case, urlCase, hashCase),
      sentence,
      (item, [before, after]) => {
        const output = readText(`${before}${item.defanged}${after}`, 'p.txt', {});
        assert.deepEqual(
          output.records.map((record) => `${record.type} ${record.value}`),
          [`${item.type} ${item.value}`],
        );
      },
    ),
    { numRuns: 2000 },
  );
});

/** Text made of the characters indicators and defang markers use, so candidates are common. */
const iocLikeText = fc.string({
  unit: fc.constantFrom(...'abcdefxtps0123456789.:[]()/{}@\\ -_`|"\n'.split('')),
  maxLength: 300,
});

test('readText never throws on arbitrary text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), iocLikeText), (text) => {
      const output = readText(text, 'p.txt', {});
      const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
      assert.equal(output.itemsRead, output.records.length + output.rejected + dropped);
    }),
    { numRuns: 1000 },
  );
});
