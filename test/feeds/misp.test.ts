import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FeedParseError } from '../../src/errors.js';
import { readMisp, readMispPath, type MispReaderOptions } from '../../src/feeds/misp.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';
import { repoFile, sharedFile, skipWithoutShared } from '../helpers/shared.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function fixtureText(name: string): string {
  return readFileSync(repoFile(`test/fixtures/misp/${name}`), 'utf8');
}

function readFixture(name: string, options?: MispReaderOptions): FeedReaderOutput {
  return readMisp(fixtureText(name), name, options);
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Checks the counts and that they reconcile: read = records + rejected + dropped. */
function assertCounts(
  output: FeedReaderOutput,
  expected: { read: number; records: number; rejected?: number; dropped?: Record<string, number> },
): void {
  assert.equal(output.itemsRead, expected.read, 'itemsRead');
  assert.equal(output.records.length, expected.records, 'records');
  assert.equal(output.rejected, expected.rejected ?? 0, 'rejected');
  assert.deepEqual(output.dropped, expected.dropped ?? {}, 'dropped');
  const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(output.records.length + output.rejected + dropped, output.itemsRead, 'reconcile');
}

describe('readMisp', () => {
  it('joins ip-port objects into one indicator', () => {
    const output = readFixture('pymisp_circl-osint_qakbot-ip-port-objects.json');
    assertCounts(output, {
      read: 72,
      records: 58,
      dropped: { 'reference-link': 6, 'unsupported-type': 8 },
    });
    const ports = output.records.filter((record) => record.type === 'ip-port');
    assert.equal(ports.length, 24);
    assert.deepEqual(
      [...new Set(ports.map((record) => record.port))].sort((a, b) => (a ?? 0) - (b ?? 0)),
      [443, 465, 990, 993, 995, 2222],
    );
    assert.equal(ports[0]?.context.family?.name, 'Qakbot');
    assert.ok(ports[0]?.context.tags?.includes('malware:Emotet'));
    assert.ok(ports[0]?.context.tags?.includes('tlp:white'));
  });

  it('splits ip-dst|port and keeps the threat actor', () => {
    const output = readFixture('pymisp_circl-osint_hidden-cobra-ip-dst-port.json');
    assertCounts(output, {
      read: 125,
      records: 113,
      dropped: { 'unsupported-type': 9, 'reference-link': 3 },
    });
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { ip: 87, md5: 16, 'ip-port': 6, sha256: 2, sha1: 2 },
    );
    const privateTuple = output.records.find(
      (record) => record.type === 'ip-port' && record.value === '10.10.30.110',
    );
    assert.equal(privateTuple?.port, 1992);
    assert.equal(privateTuple?.context.family?.name, 'FALLCHILL');
    assert.ok(privateTuple?.context.tags?.includes('actor:Lazarus Group'));
    assert.match(
      privateTuple?.source.id ?? '',
      /^5a0d5bf4-99c8-4f15-9879-22b1950d210f\/[0-9a-f-]{36}$/,
    );
  });

  it('passes url values that are not URLs through', () => {
    const output = readFixture('pymisp_circl-osint_asert-four-element-sword.json');
    assertCounts(output, {
      read: 370,
      records: 250,
      dropped: { 'unsupported-type': 37, 'not-to-ids': 19, 'reference-link': 64 },
    });
    const urls = output.records
      .filter((record) => record.type === 'url')
      .map((record) => record.value);
    assert.ok(urls.includes('107.183.86'));
    assert.ok(urls.includes('igfxtray.exe'));
    // Six url attributes are bare C2 host names, such as www.whitewall.top, read as domains.
    const domains = output.records.filter((record) => record.type === 'domain');
    assert.ok(domains.some((record) => record.value === 'www.whitewall.top'));
    assert.equal(output.issues.filter((issue) => issue.code === 'MISP_URL_BARE_HOST').length, 6);
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { url: 8, md5: 75, sha256: 84, domain: 18, ip: 8, sha1: 57 },
    );
  });

  it('splits composite values on the first bar', () => {
    const output = readFixture('pymisp_circl-osint_xorist-regkey-value.json');
    assertCounts(output, {
      read: 9,
      records: 3,
      dropped: { 'reference-link': 2, 'unsupported-type': 4 },
    });
    const text = JSON.stringify({
      Event: {
        uuid: 'e',
        Attribute: [{ uuid: 'a', type: 'filename|sha256', value: 'a|b.exe|abc', to_ids: true }],
      },
    });
    assert.equal(readMisp(text, 'x.json').records[0]?.value, 'b.exe|abc');
  });

  it('reads WebDAV ports and bare hosts in url attributes', () => {
    const attribute = (uuid: string, value: string) => ({ uuid, type: 'url', value, to_ids: true });
    const text = JSON.stringify({
      Event: {
        uuid: 'e',
        Attribute: [
          attribute('a', 'https://104.41.51.80@80/Documentos/files/a3.cmd'),
          attribute('b', 'www.ztm.waw.pl'),
          attribute('c', 'https://c2.example.org/gate.php'),
        ],
      },
    });
    const output = readMisp(text, 'x.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      [
        ['url', 'https://104.41.51.80:80/Documentos/files/a3.cmd'],
        ['domain', 'www.ztm.waw.pl'],
        ['url', 'https://c2.example.org/gate.php'],
      ],
    );
    const codes = output.issues.map((issue) => [issue.code, issue.source?.id]);
    assert.deepEqual(codes, [
      ['URL_PORT_AFTER_AT', 'e/a'],
      ['MISP_URL_BARE_HOST', 'e/b'],
    ]);
    assert.match(output.issues[1]!.message, /^url attribute "www\.ztm\.waw\.pl" is a host name/);
  });

  it('yields nothing from an all non-to_ids ESET event and says why', () => {
    const output = readFixture('eset_sshdoor-crait_ip-dst-port.json');
    assertCounts(output, {
      read: 9,
      records: 0,
      dropped: { 'unsupported-type': 2, 'not-to-ids': 7 },
    });
    const info = output.issues.find((issue) => issue.code === 'MISP_NOT_TO_IDS');
    assert.equal(info?.severity, 'info');
    assert.match(
      info?.message ?? '',
      /7 indicator values have to_ids false.*no indicators.*allAttributes/,
    );
    assert.match(info?.message ?? '', /Pass --all-attributes to huntpack build/);
  });

  it('keeps non-to_ids attributes with allAttributes', () => {
    const output = readFixture('eset_sshdoor-crait_ip-dst-port.json', { allAttributes: true });
    assertCounts(output, { read: 9, records: 7, dropped: { 'unsupported-type': 2 } });
    const tuple = output.records.find((record) => record.type === 'ip-port');
    assert.equal(tuple?.value, '176.9.47.34');
    assert.equal(tuple?.port, 28739);
    const domainIp = readFixture('eset_sshdoor-coruscant_domain-ip.json', { allAttributes: true });
    assert.deepEqual(
      domainIp.records.filter((record) => record.type !== 'sha1').map((record) => record.value),
      ['patf.site90.net', '153.92.0.100'],
    );
  });

  it('reads a restSearch answer at volume', () => {
    const output = readFixture('eset_stantinko_restsearch.json');
    assertCounts(output, { read: 340, records: 294, dropped: { 'unsupported-type': 46 } });
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { sha1: 126, domain: 87, ip: 81 },
    );
    assert.deepEqual(output.records[0]?.context.reporters, ['ESET']);
  });

  it('reads domain-ip, url and file objects', () => {
    const output = readFixture('eset_swc-candiru_restsearch-objects.json');
    assertCounts(output, {
      read: 91,
      records: 12,
      dropped: { 'not-to-ids': 70, 'unsupported-type': 9 },
    });
    assert.deepEqual(
      countBy(output.records, (record) => record.type),
      { url: 3, md5: 3, sha1: 3, sha256: 3 },
    );
    assert.equal(output.records[0]?.value, 'https://cuturl.app/sot2qq');
  });

  it('reads bare objects without an event', () => {
    const output = readFixture('misp-stix_test-objects-collection_HANDMADE_restsearch.json');
    assertCounts(output, { read: 10, records: 3, dropped: { 'unsupported-type': 7 } });
    assert.equal(output.records[0]?.source.id, 'b1ae0a21-c7ae-4c7f-b84b-b84a7ce53d1f');
  });

  it(
    'normalizes Talos tags and ATT&CK galaxies',
    { skip: skipWithoutShared('misp/talos_2023-07-reddriver_restsearch-oneline.json') },
    () => {
      const text = readFileSync(
        sharedFile('misp/talos_2023-07-reddriver_restsearch-oneline.json'),
        'utf8',
      );
      const output = readMisp(text, 'reddriver.json');
      assertCounts(output, {
        read: 21,
        records: 19,
        dropped: { 'unsupported-type': 1, 'not-to-ids': 1 },
      });
      const tags = output.records[0]?.context.tags ?? [];
      assert.ok(tags.includes('tlp:white'));
      assert.ok(!tags.includes(' TLP:WHITE'));
      assert.ok(tags.includes('attack:T1553.004'));
    },
  );

  it('reads bare events, lists and attribute answers', () => {
    const attribute = {
      uuid: 'a1',
      type: 'domain',
      value: 'bad.example',
      to_ids: true,
      timestamp: '1700000000',
      first_seen: '2023-01-02T03:04:05Z',
    };
    const bare = readMisp(
      JSON.stringify({ uuid: 'e1', info: 'x', date: '2023-01-01', Attribute: [attribute] }),
      'bare.json',
    );
    assertCounts(bare, { read: 1, records: 1 });
    assert.equal(bare.records[0]?.context.firstSeen?.toISOString(), '2023-01-02T03:04:05.000Z');
    assert.equal(bare.records[0]?.context.lastSeen?.toISOString(), '2023-11-14T22:13:20.000Z');
    const list = readMisp(
      JSON.stringify([
        { Event: { Attribute: [attribute] } },
        { Event: { Attribute: [attribute] } },
      ]),
      'list.json',
    );
    assertCounts(list, { read: 2, records: 2 });
    const answer = readMisp(
      JSON.stringify({ response: { Attribute: [attribute] } }),
      'answer.json',
    );
    assertCounts(answer, { read: 1, records: 1 });
  });

  it('rejects a bad port and a composite without a bar', () => {
    const text = JSON.stringify({
      Event: {
        uuid: 'e1',
        Attribute: [
          { uuid: 'a1', type: 'ip-dst|port', value: '192.0.2.1|99999', to_ids: true },
          { uuid: 'a2', type: 'domain|ip', value: 'only.example', to_ids: true },
          { uuid: 'a3', type: 'ip-src', value: '192.0.2.3', to_ids: true },
          { uuid: 'a4', type: 'ip-dst', value: '192.0.2.4', to_ids: true, deleted: true },
        ],
      },
    });
    const output = readMisp(text, 'bad.json');
    assertCounts(output, { read: 4, records: 1, rejected: 2, dropped: { deleted: 1 } });
    assert.deepEqual(
      output.issues.map((issue) => issue.source?.id),
      ['e1/a1', 'e1/a2'],
    );
    assert.match(output.issues[0]?.message ?? '', /"99999"/);
    assert.ok(output.records[0]?.context.tags?.includes('side:source'));
  });

  it('reads hostname|port as a domain with its port', () => {
    const text = JSON.stringify({
      Event: {
        uuid: 'e1',
        Attribute: [
          { uuid: 'a1', type: 'hostname|port', value: 'c2.evil-misp.top|8443', to_ids: true },
          { uuid: 'a2', type: 'hostname|port', value: 'c3.evil-misp.top|99999', to_ids: true },
          { uuid: 'a3', type: 'hostname|port', value: 'c4.evil-misp.top', to_ids: true },
          { uuid: 'a4', type: 'hostname|port', value: 'c5.evil-misp.top|443', to_ids: false },
        ],
      },
    });
    const output = readMisp(text, 'ports.json');
    assertCounts(output, { read: 4, records: 1, rejected: 2, dropped: { 'not-to-ids': 1 } });
    const record = output.records[0];
    assert.equal(record?.type, 'domain');
    assert.equal(record?.value, 'c2.evil-misp.top');
    assert.equal(record?.port, undefined);
    assert.ok(record?.context.tags?.includes('port:8443'));
    assert.equal(record?.source.id, 'e1/a1');
    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.source?.id]),
      [
        ['MISP_INVALID_ATTRIBUTE', 'e1/a2'],
        ['MISP_INVALID_ATTRIBUTE', 'e1/a3'],
        ['MISP_NOT_TO_IDS', 'e1'],
      ],
    );
    assert.match(output.issues[0]?.message ?? '', /port "99999"/);
  });

  it('names attributes of unsupported types', () => {
    const text = JSON.stringify({
      Event: {
        uuid: 'e1',
        Attribute: [
          { uuid: 'a1', type: 'uri', value: '/gate.php', to_ids: true },
          { uuid: 'a2', type: 'link', value: 'https://example.org/report', to_ids: false },
          { uuid: 'a3', type: 'domain', value: 'evil.example', to_ids: true },
          { uuid: 'a4', type: 'yara', value: `rule x { ${'a'.repeat(200)} }`, to_ids: true },
        ],
      },
    });
    const output = readMisp(text, 'types.json');
    assertCounts(output, {
      read: 4,
      records: 1,
      dropped: { 'unsupported-type': 2, 'reference-link': 1 },
    });
    const issues = output.issues.filter((issue) => issue.code === 'MISP_UNSUPPORTED_TYPE');
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.severity, 'info');
    assert.deepEqual(issues[0]?.source, { file: 'types.json', id: 'e1' });
    const message = issues[0]?.message ?? '';
    assert.match(message, /^Left out 2 attributes of types that huntpack does not hunt/);
    assert.match(message, /\(uri 1, yara 1\)/);
    assert.match(message, /uri "\/gate\[\.\]php"/);
    assert.match(message, /yara "rule x \{ a+…"/);
    assert.doesNotMatch(message, /example\.org/);
  });

  it('counts unsupported types beyond those named', () => {
    const output = readFixture('eset_stantinko_restsearch.json');
    const issues = output.issues.filter((issue) => issue.code === 'MISP_UNSUPPORTED_TYPE');
    assert.equal(issues.length, 1);
    const message = issues[0]?.message ?? '';
    assert.match(message, /^Left out 46 attributes/);
    assert.match(message, /\(pdb 22, regkey 13, mutex 11\)/);
    assert.match(message, /, and 26 more\.$/);
  });

  it('rejects documents that are not MISP', () => {
    assert.throws(
      () => readMisp('{"hello": 1}', 'x.json'),
      (error: unknown) => error instanceof FeedParseError && error.code === 'NOT_MISP',
    );
    assert.throws(
      () => readMisp('[1, 2', 'x.json'),
      (error: unknown) => error instanceof FeedParseError && error.code === 'INVALID_JSON',
    );
  });
});

describe('readMispPath', () => {
  it('reads a feed folder through its manifest', (t) => {
    const folder = makeTempDir('misp-feed', t);
    const present = '5a0ac036-6fbc-4855-83af-422b950d210f';
    const missing = '11111111-2222-4333-8444-555555555555';
    const manifest = {
      [present]: { info: 'Qakbot', timestamp: '1' },
      [missing]: { info: 'gone', timestamp: '1' },
    };
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(
      join(folder, `${present}.json`),
      fixtureText('pymisp_circl-osint_qakbot-ip-port-objects.json'),
    );
    const output = readMispPath(folder);
    assertCounts(output, {
      read: 72,
      records: 58,
      dropped: { 'reference-link': 6, 'unsupported-type': 8 },
    });
    const missingIssue = output.issues.find((issue) => issue.code === 'MISP_EVENT_FILE_MISSING');
    assert.match(missingIssue?.message ?? '', new RegExp(missing));
    const direct = readMispPath(join(folder, 'manifest.json'));
    assert.equal(direct.records.length, 58);
  });

  it('reads every json file in a folder without a manifest', (t) => {
    const folder = makeTempDir('misp-files', t);
    writeFileSync(
      join(folder, 'a.json'),
      fixtureText('pymisp_circl-osint_xorist-regkey-value.json'),
    );
    writeFileSync(join(folder, 'b.json'), '{"broken":');
    const output = readMispPath(folder);
    assert.equal(output.records.length, 3);
    assert.equal(output.issues.filter((issue) => issue.code === 'INVALID_JSON').length, 1);
  });
});
