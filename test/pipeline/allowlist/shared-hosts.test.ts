import assert from 'node:assert/strict';
import test from 'node:test';
import { applyAllowlists, loadAllowlists } from '../../../src/pipeline/allowlist/index.js';
import { RegistrantResolver } from '../../../src/pipeline/allowlist/registrant.js';
import { domainIndicator, urlIndicator } from './make-indicator.js';

const lists = loadAllowlists();

test('cloud VM reverse names stay huntable', () => {
  // The reverse DNS name of one Google Cloud VM, a Mythic C2 server in a ThreatFox export.
  const vm = domainIndicator('31.213.176.34.bc.googleusercontent.com');
  const result = applyAllowlists([vm], lists);
  assert.equal(result.setAside.length, 0, JSON.stringify(result.setAside));
  assert.equal(result.kept.length, 1);
});

test('hosting reverse names stay huntable', () => {
  const names = ['static.88.99.10.11.clients.your-server.de', '203.0.114.5.host.secureserver.net'];
  const result = applyAllowlists(names.map(domainIndicator), lists);
  assert.deepEqual(result.setAside, []);
  assert.equal(result.kept.length, 2);
});

test('popular names outside customer zones are set aside', () => {
  const result = applyAllowlists([domainIndicator('lh3.googleusercontent.com')], lists);
  assert.equal(result.kept.length, 0);
  assert.equal(result.setAside[0]?.list.startsWith('tranco'), true, result.setAside[0]?.list);
});

test('URL on a public suffix host is kept as a full URL', () => {
  const result = applyAllowlists(
    [urlIndicator('https://localtonet.com/api'), domainIndicator('localtonet.com')],
    lists,
  );
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    ['https://localtonet.com/api'],
  );
  assert.equal(result.fullUrl[0]?.list, 'second-level-tlds');
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list]),
    [['localtonet.com', 'second-level-tlds']],
  );
});

test('customer zone named as a domain is set aside', () => {
  const zones = ['glitch.me', '000webhostapp.com', 'serveo.net', 'loca.lt', 'ply.gg', 'linkpc.net'];
  const tenants = ['evil-app.glitch.me', 'c2.linkpc.net'];
  const urls = ['https://glitch.me/payload.js', 'https://evil-app.glitch.me/x'];
  const result = applyAllowlists(
    [...zones.map(domainIndicator), ...tenants.map(domainIndicator), ...urls.map(urlIndicator)],
    lists,
  );
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
    zones.map((zone) => [zone, 'customer-zones', zone]),
  );
  assert.match(result.setAside[0]!.reason, /Glitch app hosting.*every customer's subdomain/);
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    [...tenants, ...urls],
  );
  // A URL on the zone's own host names one resource: hunted as that URL, not by its host.
  assert.deepEqual(
    result.fullUrl.map((item) => [item.indicator.value, item.list]),
    [['https://glitch.me/payload.js', 'customer-zones']],
  );
});

test('wildcard customer zones set aside each region', () => {
  const regions = ['eastus.cloudapp.azure.com', 'gl.at.ply.gg'];
  const customers = ['lcowpowerlite.italynorth.cloudapp.azure.com', 'law-notebooks.gl.at.ply.gg'];
  const result = applyAllowlists([...regions, ...customers].map(domainIndicator), lists);
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
    [
      ['eastus.cloudapp.azure.com', 'customer-zones', '*.cloudapp.azure.com'],
      ['gl.at.ply.gg', 'customer-zones', '*.at.ply.gg'],
    ],
  );
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    customers,
  );
});

test('registrant below a wildcard zone', () => {
  const resolver = new RegistrantResolver(() => new Set(['*.cloud.example', 'cloud.example']));
  assert.equal(resolver.registrantDomain('a.vm1.east.cloud.example'), 'vm1.east.cloud.example');
  assert.equal(resolver.registrantDomain('vm1.east.cloud.example'), 'vm1.east.cloud.example');
  // A region is a zone itself, so only the Public Suffix List names its registrant.
  assert.equal(resolver.registrantDomain('east.cloud.example'), 'cloud.example');
});

test('customer zones can be turned off', () => {
  const without = loadAllowlists({ disable: ['customer-zones'] });
  const result = applyAllowlists([domainIndicator('serveo.net')], without);
  assert.deepEqual(result.setAside, []);
});

test('shared host root URL set aside', () => {
  const urls = [
    'https://docs.google.com/',
    'https://t.me/',
    'https://www.dropbox.com/',
    'https://gist.github.com/',
    'ws://t.me:80/',
    'http://t.me:443/',
    'https://t.me/evilchannel',
    'https://docs.google.com/?id=5',
    'https://t.me:8443/',
  ];
  const result = applyAllowlists(urls.map(urlIndicator), lists);
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    ['https://t.me/evilchannel', 'https://docs.google.com/?id=5', 'https://t.me:8443/'],
  );
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
    [
      ['https://docs.google.com/', 'trusted-platforms', 'docs.google.com'],
      ['https://t.me/', 'trusted-platforms', 't.me'],
      ['https://www.dropbox.com/', 'trusted-platforms', 'dropbox.com'],
      ['https://gist.github.com/', 'trusted-platforms', 'github.com'],
      ['ws://t.me/', 'trusted-platforms', 't.me'],
      ['http://t.me:443/', 'trusted-platforms', 't.me'],
    ],
  );
  assert.match(result.setAside[1]!.reason, /no path or query/);
  assert.match(result.setAside[1]!.reason, /every connection to its host t\.me/);
});

test('root URL of a customer subdomain stays', () => {
  const result = applyAllowlists([urlIndicator('https://tenant.sharepoint.com/')], lists);
  assert.equal(result.setAside.length, 0);
  assert.equal(result.fullUrl[0]?.entry, 'sharepoint.com');
});

test('hosting customer root URL stays', () => {
  // Tranco lists xsrv.jp and godaddysites.com, which are customer zones.
  const urls = ['https://renwebdesign.xsrv.jp/', 'https://site-q91z6r31h.godaddysites.com/'];
  const result = applyAllowlists(urls.map(urlIndicator), lists);
  assert.deepEqual(result.setAside, []);
  assert.deepEqual(result.fullUrl, []);
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    urls,
  );
});

test('hosting customers in Tranco stay huntable', () => {
  const names = [
    'a1184120.xsph.ru',
    'bprof.dobriyk8.beget.tech',
    'kucoinnlgoin.godaddysites.com',
    'renwebdesign.xsrv.jp',
    'sskyokker256.bit.md-89.webhostbox.net',
    'unique.b-cdn.net',
    'somanydomain.anondns.net',
  ];
  const result = applyAllowlists(names.map(domainIndicator), lists);
  assert.deepEqual(result.setAside, []);
  assert.deepEqual(
    result.kept.map((indicator) => indicator.value),
    names,
  );
});

test('hosting server name is a zone', () => {
  const result = applyAllowlists([domainIndicator('md-89.webhostbox.net')], lists);
  assert.deepEqual(
    result.setAside.map((item) => [item.list, item.entry]),
    [['customer-zones', '*.webhostbox.net']],
  );
});

test('www below a customer zone is set aside', () => {
  const names = ['www.godaddysites.com', 'www.wordpress.com', 'a.www.wordpress.com'];
  const result = applyAllowlists(names.map(domainIndicator), lists);
  assert.deepEqual(result.kept, []);
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
    [
      ['www.godaddysites.com', 'tranco10k', 'godaddysites.com'],
      ['www.wordpress.com', 'tranco10k', 'wordpress.com'],
      ['a.www.wordpress.com', 'tranco10k', 'wordpress.com'],
    ],
  );
});

test('popular site root URL set aside', () => {
  const urls = ['https://godaddysites.com/', 'https://www.godaddysites.com/'];
  const result = applyAllowlists(urls.map(urlIndicator), lists);
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
    [
      ['https://godaddysites.com/', 'customer-zones', 'godaddysites.com'],
      ['https://www.godaddysites.com/', 'tranco10k', 'godaddysites.com'],
    ],
  );
});

test('company host root URL set aside', () => {
  // Tranco lists pubmatic.com, an ad-tech company whose subdomains are its own hosts.
  const urls = ['https://image6.pubmatic.com/', 'https://image6.pubmatic.com/x.js'];
  const result = applyAllowlists(urls.map(urlIndicator), lists);
  assert.deepEqual(
    result.setAside.map((item) => [item.indicator.value, item.list, item.entry]),
    [['https://image6.pubmatic.com/', 'tranco10k', 'pubmatic.com']],
  );
  assert.match(result.setAside[0]!.reason, /every connection to its host image6\.pubmatic\.com/);
  assert.deepEqual(
    result.fullUrl.map((item) => item.indicator.value),
    ['https://image6.pubmatic.com/x.js'],
  );
});
