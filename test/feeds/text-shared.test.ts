/**
 * Reads the real write-ups kept beside the repository (GPL or unlicensed, so not copied here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from '../../src/feeds/text.js';
import { MAX_DROPPED_VALUES_SHOWN } from '../../src/feeds/text-drops.js';
import { normalizeIndicator } from '../../src/indicators/normalize.js';
import type { FeedReaderOutput } from '../../src/feeds/reader-output.js';
import { SHARED_DATA, sharedFile, skipWithoutShared } from '../helpers/shared.js';

const REMCOS_REPORT = join(SHARED_DATA, '..', 'examples', 'remcos-hunt-report.txt');

function read(path: string): FeedReaderOutput {
  return readText(readFileSync(path, 'utf8'), path.split('/').at(-1) ?? path, {});
}

function readShared(name: string): FeedReaderOutput {
  return read(sharedFile(`text/${name}`));
}

/** Returns `type value` for each record, in order. */
function pairs(output: FeedReaderOutput): string[] {
  return output.records.map((record) => `${record.type} ${record.value}`);
}

function withoutHashes(output: FeedReaderOutput): string[] {
  return pairs(output).filter((pair) => !/^(md5|sha1|sha256) /.test(pair));
}

function countOf(output: FeedReaderOutput, type: string): number {
  return output.records.filter((record) => record.type === type).length;
}

const DROPPED = 'TEXT_CANDIDATES_DROPPED';

/**
 * Checks that each drop reason has one info issue whose count matches `dropped`, and whose named
 * values and "and N more" add up to that count.
 */
function assertDropIssuesReconcile(output: FeedReaderOutput): void {
  const issues = output.issues.filter((issue) => issue.code === DROPPED);
  assert.equal(issues.length, Object.keys(output.dropped).length);
  for (const [reason, count] of Object.entries(output.dropped)) {
    const issue = issues.find((i) => i.message.includes(` as ${reason}, `));
    assert.equal(issue?.severity, 'info', reason);
    const stated = /^Left out (\d+) candidates? as /.exec(issue?.message ?? '')?.[1];
    assert.equal(Number(stated), count, reason);
    const named = (issue?.message.match(/ \(line \d+\)/g) ?? []).length;
    const more = Number(/ and (\d+) more\.$/.exec(issue?.message ?? '')?.[1] ?? 0);
    assert.equal(named, Math.min(count, MAX_DROPPED_VALUES_SHOWN), reason);
    assert.equal(named + more, count, reason);
  }
}

function assertCountsAddUp(output: FeedReaderOutput): void {
  const dropped = Object.values(output.dropped).reduce((sum, count) => sum + count, 0);
  assert.equal(output.itemsRead, output.records.length + output.rejected + dropped);
}

const REMCOS = 'executemalware_2021-08-19-remcos-rat-fanged.txt';
test('readText reads the fanged Remcos list', { skip: skipWithoutShared(`text/${REMCOS}`) }, () => {
  const output = readShared(REMCOS);
  assert.deepEqual(pairs(output), [
    'md5 1d7a15e0603871aebf86f69d110c82b3',
    'domain dreamwatchevent.com',
    'url http://dreamwatchevent.com/wpadmins/Attack.jpg',
    'md5 f57b6af29796118192f653a4e0f44792',
    'md5 613ac253f76a02d11a71507cbcbd370c',
    'domain freightmgmt.duckdns.org',
    'url https://194.5.98.207:691',
  ]);
  assert.deepEqual(output.records[5]?.context.tags, ['port:691']);
  assert.deepEqual(output.records[6]?.context.tags, []);
  assert.deepEqual(output.records[6]?.source, { file: REMCOS, line: 27 });
  assert.deepEqual(output.records[5]?.source, { file: REMCOS, line: 26 });
  assert.equal(output.dropped['email-address'], 1);
  assert.equal(output.dropped['reference-link'], 1);
  assert.deepEqual(output.records[1]?.context.tags, ['from-cut-url']);
  assert.deepEqual(
    output.issues.map((issue) => issue.code),
    ['URL_CUT_AT_SPACE', ...Object.keys(output.dropped).map(() => DROPPED)],
  );
  assert.match(output.issues[0]?.message ?? '', /"dreamwatchevent\.com" is hunted as a domain/);
  assertDropIssuesReconcile(output);
  assertCountsAddUp(output);
});

test(
  'readText reads only the ip:port rows of the hunt report',
  {
    skip: skipWithoutShared('../examples/remcos-hunt-report.txt'),
  },
  () => {
    const output = read(REMCOS_REPORT);
    assert.deepEqual(pairs(output), [
      'ip-port 45.92.1.175:5220',
      'ip-port 203.202.232.22:3131',
      'ip-port 103.83.87.8:1515',
      'ip-port 2.27.17.179:6644',
    ]);
    assert.equal(output.dropped['covered-by-ip-port'], 8);
    assert.deepEqual(
      output.issues.map((issue) => issue.code),
      Object.keys(output.dropped).map(() => DROPPED),
    );
    assertDropIssuesReconcile(output);
    assertCountsAddUp(output);
  },
);

const TALOS = 'talos_2024-05-carnavalhiest.txt';
test('readText reads the Talos list', { skip: skipWithoutShared(`text/${TALOS}`) }, () => {
  const output = readShared(TALOS);
  const addresses = [
    '104.41.51.80',
    '191.239.116.217',
    '191.239.123.241',
    '191.233.241.96',
    '191.234.212.140',
    '191.235.233.246',
    '4.203.105.118',
    '191.233.248.170',
  ];
  // Every address is also written as a WebDAV path (an ip:port) or a URL with @80 (a URL on
  // the address with port 80), so its bare mention in the address list is dropped.
  const webDavUrls = addresses
    .slice(0, 6)
    .map((address) => `url https://${address}:80/Documentos/files/a3.cmd`);
  assert.deepEqual(withoutHashes(output), [
    'url https://is.gd/38qeon?0177551.5510',
    'url https://is.gd/ROnj3W?0808482.5176',
    'url https://notafiscaleletronica.nf-e.pro/danfe/?notafiscal=00510242.500611',
    'url https://nota-fiscal.nfe-digital.top/nota-estadual/?notafiscal=00792011.977347',
    'url https://nfe-visualizer.app.br/notas/?notafiscal=000851113082.35493424000',
    'url http://adobe-acrobat-visualizer.brazilsouth.cloudapp.azure.com/Documentos',
    'ip-port 4.203.105.118:80',
    'ip-port 191.233.248.170:80',
    ...webDavUrls,
    'url http://191.235.87.229/Documentos/dc/c.cmd',
    'domain abrir-documento-adobe-reader-1.brazilsouth.cloudapp.azure.com',
  ]);
  assert.equal(countOf(output, 'sha256'), 39);
  assert.equal(output.records.at(-1)?.value.startsWith('d3a7f22886cd2945'), true);
  assert.equal(output.issues.filter((i) => i.code === 'URL_PORT_AFTER_AT').length, 6);
  // The defanged file name in the two `search:` links is named, as info, not hunted.
  const unhunted = output.issues.filter((i) => i.code === 'DEFANGED_NAME_NOT_HUNTED');
  assert.deepEqual(
    unhunted.map((i) => [i.severity, i.source?.line]),
    [
      ['info', 18],
      ['info', 19],
    ],
  );
  assert.match(unhunted[0]?.message ?? '', /"NotaFiscal\[\.\]pdf": \.pdf is not an IANA/);
  assertDropIssuesReconcile(output);
  assert.equal(output.dropped['covered-by-ip-port'], 8);
  assert.equal(output.rejected, 0);
  assertCountsAddUp(output);
});

test(
  'normalization accepts every Talos record',
  { skip: skipWithoutShared(`text/${TALOS}`) },
  () => {
    const output = readShared(TALOS);
    const rejected = output.records
      .map((record) => normalizeIndicator(record))
      .flatMap((result) => ('issue' in result ? [result.issue.message] : []));
    assert.deepEqual(rejected, []);
  },
);

const TA551 = 'unit42-timely_2021-12-10-ta551-icedid-hXXp.txt';
test('readText reads the TA551 hXXp list', { skip: skipWithoutShared(`text/${TA551}`) }, () => {
  const output = readShared(TA551);
  assert.deepEqual(withoutHashes(output), [
    'url http://copelandbenefitg.com/frhe/1ukcmJN/yCvH52W8TJwx5X6Sfo0Cui6JnmHG2PFr2omut/MXdINzqAuUBxk4ZqjDiASIJQ0T2z9/BjpzhVrLsYXGsW2y8Lh5/repa7?user=oq7xaGpp0HeOeVHY&page=DJpnZd6hKsTc&page=IW96WhLYqVxOj4iAasoL5iF&time=sH0HCUHcuo&id=70Uezj2iHkaqZbtvoqIQoc6iX3ld&cid=q9XLicGSEHSJQ5DxImz1&=nlTMmjAL9k2huJIqBoyNbC4&q=c5bIpGxMHT&user=NwBOY6y5xcvi5wMU',
    'url http://jeliskvosh.com/',
    'ip-port 146.19.233.44:80',
    'domain copelandbenefitg.com',
    'domain aws.amazon.com',
    'ip-port 94.140.112.17:80',
    'domain jeliskvosh.com',
    'ip-port 87.120.8.98:443',
    'domain baeswea.com',
    'ip-port 108.62.118.215:443',
    'domain solobiv.com',
    'ip-port 88.119.161.76:8080',
  ]);
  assert.equal(countOf(output, 'sha256'), 7);
  const darkVnc = output.records.find((record) => record.value === '88.119.161.76:8080');
  assert.deepEqual(darkVnc?.context.tags, []);
  assert.equal(output.dropped['reference-link'], 1);
  assertCountsAddUp(output);
});

const DNS = 'unit42-timely_2025-04-16-dns-tunneling-scans-ipv6.txt';
test('readText reads the IPv6 tunneling list', { skip: skipWithoutShared(`text/${DNS}`) }, () => {
  const output = readShared(DNS);
  const roots = 'autos baby beauty biz boats bond cfd christmas click college'.split(' ');
  assert.deepEqual(pairs(output), [
    'ip 209.141.56.200',
    'ip 2605:6400:20:9d:2d8c:6f33:f4db:ab02',
    'domain kugmx.c66e76fb.0.v4.isavscan.baby',
    'ip 198.110.118.251',
    ...roots.map((tld) => `domain isavscan.${tld}`),
    'domain oeikdidmgx.online',
    'domain kugmx.c66e76fb.0.v4.isavscan.baby',
    'domain owkky.c8030120000007210000000025000000.0.v6.isavscan.biz',
  ]);
  assert.equal(output.dropped['reference-link'], 2);
  assert.equal(output.dropped['fanged-in-defanged-text'], 3);
  assertCountsAddUp(output);
});

const CLICKFIX = 'unit42-timely_2026-06-05-clickfix-rat-port-defang.txt';
test('readText reads defanged ports', { skip: skipWithoutShared(`text/${CLICKFIX}`) }, () => {
  const output = readShared(CLICKFIX);
  assert.deepEqual(withoutHashes(output), [
    'domain lirunex.tech',
    'url https://colafunfacts.net/log',
    'url https://colafunfacts.net/firefox.zip',
    'url http://104.207.131.216:16443',
    'domain aromi-fr.shop',
    'domain aromi-fr.com',
    'domain api-eu3.convmasters.com',
    'domain aromi-fr.shop',
    'domain aromi-fr.com',
    'domain convmasters.com',
    'domain lirunex.tech',
    'url http://95.179.240.32:9999/build',
    'url http://104.207.131.216:16443',
    'url http://188.166.20.222:8000',
    'url https://colafunfacts.net/firefox.zip',
    'url https://colafunfacts.net/log',
  ]);
  assert.equal(countOf(output, 'sha256'), 4);
  assert.equal(output.dropped['fanged-in-defanged-text'], 5);
  assertCountsAddUp(output);
});

const TEAMS = 'unit42-timely_2025-01-22-fake-teams-site.txt';
test('readText reads the fake Teams list', { skip: skipWithoutShared(`text/${TEAMS}`) }, () => {
  const output = readShared(TEAMS);
  const found = new Set(pairs(output));
  for (const expected of [
    'domain burleson-appliance.net',
    'url https://microsoft-teams-download.burleson-appliance.net/?msclkid=9e6148026c32152e3fdc2f930d4923bc',
    'ip-port 82.221.136.26:443',
    'url https://microsoft.teams-live.com/en/download.php',
    'url http://5.252.153.241:80/api/file/get-file/264872',
    'url http://5.252.153.241/8182020',
    'ip-port 45.125.66.32:2917',
    'ip-port 45.125.66.252:443',
    'sha256 4bed34b1cd5663a5a857b3bbf81cc5413c61cb561e9a90067b57da08b01ae70b',
    'sha256 fd045fcede68ce2fda2531a9dd28f407aab0f29b3dd3c86e017172abee93386c',
  ]) {
    assert.equal(found.has(expected), true, expected);
  }
  // Four ad-chain URLs, the scriptlet URL, and 48 timeline lines of which 4 are ip:port lines.
  assert.equal(countOf(output, 'url'), 4 + 1 + 48 - 4);
  // Six written as ip:port. The scriptlet URL on 5.252.153.241:80 gives no ip:port of its own.
  assert.equal(countOf(output, 'ip-port'), 6);
  assert.equal(found.has('ip-port 5.252.153.241:80'), false);
  assert.equal(countOf(output, 'sha256'), 6);
  assert.equal(countOf(output, 'domain'), 1);
  assert.equal(countOf(output, 'md5'), 0);
  assert.equal(output.dropped['reference-link'], 3);
  assertCountsAddUp(output);
});

const STANTINKO = 'eset_stantinko_README.adoc';
test(
  'readText reads the Stantinko AsciiDoc',
  { skip: skipWithoutShared(`text/${STANTINKO}`) },
  () => {
    const output = readShared(STANTINKO);
    const found = new Set(pairs(output));
    for (const expected of [
      'url https://www.youtube.com/watch?v=kS1jXg99WiM',
      'ip 3.16.150.123',
      'domain clients1.ultimate-discounter.com',
      'ip-port 185.28.22.22:81',
      'ip-port 195.226.218.234:80',
      'ip-port 93.188.161.17:8000',
      'url http://raw.githubusercontent.com/brenev/collection/master/index',
      'url https://www.github.com/brenev/collection',
      'url http://xn--elprincipenorteo-lub.com.ar/images/banners/b1/index.php',
      'url https://bitly.com/2lzYhUo',
      'sha1 84A055D8E4BDF1F140C4DCA3D2D7738027E07115',
      'sha1 b84598b0329dde4b93fc32be2abac020f7b1e7d8',
    ]) {
      assert.equal(found.has(expected), true, expected);
    }
    for (const absent of ['ip 185.28.22.22', 'ip 195.226.218.234', 'domain forum.calorizator.ru']) {
      assert.equal(found.has(absent), false, absent);
    }
    assert.equal(countOf(output, 'sha1'), 127);
    // YouTube, raw.githubusercontent, GitHub repositories, compromised sites (the localhost one is
    // rejected), doorway sites and bitly links.
    assert.equal(countOf(output, 'url'), 10 + 1 + 15 + 171 + 4 + 2);
    // Mining proxies, the C&C list without its three addresses given with a port elsewhere, and
    // the private address in the injected script (fanged addresses are kept).
    assert.equal(countOf(output, 'ip'), 56 + 38 + 1);
    assert.equal(found.has('ip 10.150.0.104'), true);
    assert.equal(countOf(output, 'ip-port'), 3);
    // The C&C table: extension services, old and current plugin services, installers.
    assert.equal(countOf(output, 'domain'), 19 + 13 + 9);
    assert.equal(output.dropped['covered-by-ip-port'], 6);
    assert.deepEqual(
      output.issues.filter((issue) => issue.code !== DROPPED).map((issue) => issue.code),
      ['MALFORMED_DEFANG', 'INVALID_URL_HOST'],
    );
    assert.equal(output.issues[0]?.source?.line, 499);
    assertDropIssuesReconcile(output);
    assertCountsAddUp(output);
  },
);
