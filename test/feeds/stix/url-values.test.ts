import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { readStix } from '../../../src/feeds/stix/read-stix.js';
import { runCli } from '../../helpers/cli.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

/** Returns a STIX 2.1 bundle with one indicator per pattern, numbered from 1 as `indicatorId` numbers them. */
function bundle(patterns: string[]): string {
  const objects = patterns.map((pattern, index) => ({
    type: 'indicator',
    spec_version: '2.1',
    id: indicatorId(index + 1),
    created: '2024-05-01T00:00:00.000Z',
    modified: '2024-05-01T00:00:00.000Z',
    pattern,
    pattern_type: 'stix',
    valid_from: '2024-05-01T00:00:00.000Z',
  }));
  return JSON.stringify({ type: 'bundle', id: 'bundle--1', objects });
}

function indicatorId(number: number): string {
  return `indicator--00000000-0000-4000-8000-${String(number).padStart(12, '0')}`;
}

function urlPattern(value: string): string {
  return `[url:value = '${value}']`;
}

/** Returns a url:value pattern of a value with backslashes, escaped as STIX patterns write them. */
function escapedUrlPattern(value: string): string {
  return urlPattern(value.replaceAll('\\', '\\\\'));
}

interface BuildSummary {
  counts: { rowsRead: number; accepted: number; rejected: number; merged: number };
  issues: { total: number; errors: number; file: string };
  packs: Array<{ folder: string; indicators: number }>;
}

/** Runs `huntpack build FILE --json` into a temporary folder and returns the summary. */
async function build(t: TestContext, file: string): Promise<BuildSummary> {
  const out = makeTempDir('stix-url', t);
  const result = await runCli(['build', file, '--out', out, '--json', '--no-builtin-allowlists']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as BuildSummary;
}

function assertReconciles(summary: BuildSummary): void {
  const { rowsRead, accepted, rejected, merged } = summary.counts;
  assert.equal(rowsRead, accepted + rejected + merged, 'rows read = accepted + rejected + merged');
}

describe('STIX url:value forms', () => {
  it('reads the WebDAV port after @', () => {
    const output = readStix(
      bundle([urlPattern('https://104.41.51.80@80/Documentos/files/a3.cmd')]),
      'webdav.json',
    );
    assert.equal(output.records.length, 1);
    assert.equal(output.records[0]?.type, 'url');
    assert.equal(output.records[0]?.value, 'https://104.41.51.80:80/Documentos/files/a3.cmd');
    assert.equal(output.issues.length, 1);
    const warning = output.issues[0];
    assert.equal(warning?.code, 'URL_PORT_AFTER_AT');
    assert.equal(warning?.severity, 'warning');
    assert.equal(warning?.source?.id, indicatorId(1));
    assert.match(
      warning?.message ?? '',
      /"https:\/\/104\.41\.51\.80@80\/Documentos\/files\/a3\.cmd"/,
    );
    assert.match(warning?.message ?? '', /read as "https:\/\/104\.41\.51\.80:80\/Documentos/);
  });

  it('reads a domain before @ with a port after it', () => {
    const output = readStix(bundle([urlPattern('http://evil.example.com@8080/x')]), 'a.json');
    assert.equal(output.records[0]?.value, 'http://evil.example.com:8080/x');
    assert.equal(output.issues[0]?.code, 'URL_PORT_AFTER_AT');
  });

  it('keeps other user info as written', () => {
    const values = [
      // A password in the user info: the digits after @ are not a WebDAV port.
      'https://user:secret@80/x',
      // One label is no host name, so the part before @ is user info.
      'https://admin@80/x',
      // A real host after @.
      'https://user@evil.example.com/x',
    ];
    const output = readStix(bundle(values.map(urlPattern)), 'b.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      values.map((value) => ['url', value]),
    );
    assert.deepEqual(output.issues, []);
  });

  it('reads bare host names as domains', () => {
    const output = readStix(
      bundle([urlPattern('www.ztm.waw.pl'), urlPattern('192.0.2.7')]),
      'hosts.json',
    );
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      [
        ['domain', 'www.ztm.waw.pl'],
        ['ip', '192.0.2.7'],
      ],
    );
    assert.equal(output.itemsRead, 2);
    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.severity, issue.source?.id]),
      [
        ['STIX_URL_BARE_HOST', 'warning', indicatorId(1)],
        ['STIX_URL_BARE_HOST', 'warning', indicatorId(2)],
      ],
    );
    assert.match(output.issues[0]?.message ?? '', /url:value "www\.ztm\.waw\.pl" .* the domain/);
    assert.match(output.issues[1]?.message ?? '', /url:value "192\.0\.2\.7" .* the IP address/);
  });

  it('reads each bare host of an IN set', () => {
    const output = readStix(
      bundle(["[url:value IN ('mhtevents.com', 'http://mhtevents.com/a.php')]"]),
      'set.json',
    );
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      [
        ['domain', 'mhtevents.com'],
        ['url', 'http://mhtevents.com/a.php'],
      ],
    );
    assert.equal(output.issues.length, 1);
  });

  it('reads a host with a path but no scheme as an http URL', () => {
    const values = [
      'www.kcico.com.tw/data/openwebmail/doc/wthk.txt',
      'evil-misp3.top:8080/gate.php',
      '198.51.100.9/x.bin',
      '[2001:db8::1]:8080/gate.php',
      '[2001:db8::2]/x.bin',
    ];
    const output = readStix(bundle(values.map(urlPattern)), 'n.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      values.map((value) => ['url', `http://${value}`]),
    );
    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.source?.id]),
      values.map((_, index) => ['URL_NO_SCHEME', indicatorId(index + 1)]),
    );
    assert.match(output.issues[0]?.message ?? '', /compare URLs without their scheme/);
  });

  it('drops the trailing dot of an IPv4 host', () => {
    const values = [
      'http://198.51.100.9./x.bin',
      'https://user@198.51.100.9.:8443/y',
      'http://0x7f.0.0.1./z',
      // A domain keeps its dot, because normalization removes it without a warning.
      'http://evil.example.com./a',
      // Browsers read two dots as a name, not an address.
      'http://198.51.100.9../b',
    ];
    const output = readStix(bundle(values.map(urlPattern)), 'd.json');
    assert.deepEqual(
      output.records.map((record) => record.value),
      [
        'http://198.51.100.9/x.bin',
        'https://user@198.51.100.9:8443/y',
        'http://0x7f.0.0.1/z',
        'http://evil.example.com./a',
        'http://198.51.100.9../b',
      ],
    );
    assert.deepEqual(
      output.issues.map((issue) => [issue.code, issue.severity, issue.source?.id]),
      [1, 2, 3].map((number) => ['URL_HOST_TRAILING_DOT', 'warning', indicatorId(number)]),
    );
    assert.equal(
      output.issues[0]?.message,
      'URL "http://198.51.100.9./x.bin" writes its address host "198.51.100.9." with a trailing dot, which browsers ignore, so it was read as "http://198.51.100.9/x.bin".',
    );
  });

  it('reads UNC paths to WebDAV shares as URLs', () => {
    const values = [
      '\\\\evil.example.com@80\\Documentos\\dc\\c.cmd',
      'search:query=NotaFiscal.pdf&crumb=location:\\\\198.51.100.7@8080\\share&displayname=Downloads',
      'search-ms:query=a&crumb=location:\\\\evil.example.com@SSL\\DavWWWRoot\\a b.lnk',
      '\\\\evil.example.com@SSL@4443\\x',
    ];
    const output = readStix(bundle(values.map(escapedUrlPattern)), 'unc.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      [
        ['url', 'http://evil.example.com:80/Documentos/dc/c.cmd'],
        ['url', 'http://198.51.100.7:8080/share'],
        ['url', 'https://evil.example.com/DavWWWRoot/a%20b.lnk'],
        ['url', 'https://evil.example.com:4443/x'],
      ],
    );
    assert.deepEqual(
      output.issues.map((issue) => issue.code),
      ['URL_UNC_PATH', 'URL_UNC_PATH', 'URL_UNC_PATH', 'URL_UNC_PATH'],
    );
    assert.match(output.issues[0]?.message ?? '', /WebDAV share, which Windows requests over HTTP/);
    assert.match(output.issues[2]?.message ?? '', /over HTTPS/);
  });

  it('keeps a URL that carries a search link in its query', () => {
    const value =
      'https://redir.example.com/r?u=search:query=a&crumb=location:\\\\198.51.100.22@80\\s';
    const output = readStix(bundle([escapedUrlPattern(value)]), 'redirect.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      [['url', value]],
    );
    assert.deepEqual(output.issues, []);
  });

  it('reads the host of a UNC path without a WebDAV port', () => {
    const values = ['\\\\evil.example.com\\share\\a.exe', '\\\\198.51.100.9\\c$'];
    const output = readStix(bundle(values.map(escapedUrlPattern)), 'smb.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      [
        ['domain', 'evil.example.com'],
        ['ip', '198.51.100.9'],
      ],
    );
    assert.match(output.issues[0]?.message ?? '', /opens over SMB first/);
  });

  it('leaves other scheme-less values to normalization', () => {
    const values = [
      // Not a top-level domain, so not a host name.
      'setup.exe',
      'setup.exe/a',
      // A port makes it more than a host name, and without a path it is no URL.
      'evil.example.com:8080',
      // A leading zero makes the address ambiguous.
      '010.0.0.1',
    ];
    const output = readStix(bundle(values.map(urlPattern)), 'c.json');
    assert.deepEqual(
      output.records.map((record) => [record.type, record.value]),
      values.map((value) => ['url', value]),
    );
    assert.deepEqual(output.issues, []);
  });

  it('builds the forms with reconciling counts', async (t) => {
    const folder = makeTempDir('stix-url', t);
    const file = join(folder, 'forms.json');
    await writeFile(
      file,
      bundle([
        urlPattern('https://198.51.100.4@80/files/a.cmd'),
        urlPattern('www.ztm.waw.pl'),
        // The same domain as above, given as a domain: merged with it.
        "[domain-name:value = 'www.ztm.waw.pl']",
        // Not a host name, so normalization rejects it as a URL without a scheme.
        urlPattern('setup.exe'),
      ]),
    );
    const summary = await build(t, file);
    assertReconciles(summary);
    assert.equal(summary.counts.rowsRead, 4);
    assert.equal(summary.counts.accepted, 2);
    assert.equal(summary.counts.rejected, 1);
    assert.equal(summary.counts.merged, 1);
    const csv = await readFile(join(summary.packs[0]?.folder ?? '', 'indicators.csv'), 'utf8');
    assert.match(csv, /"url","hxxps:\/\/198\[\.\]51\[\.\]100\[\.\]4:80\/files\/a\.cmd"/);
    assert.match(csv, /"domain","www\[\.\]ztm\[\.\]waw\[\.\]pl"/);
    const issues = await readFile(summary.issues.file, 'utf8');
    assert.match(issues, new RegExp(`\\(id ${indicatorId(1)}\\): warning URL_PORT_AFTER_AT`));
    assert.match(issues, new RegExp(`\\(id ${indicatorId(2)}\\): warning STIX_URL_BARE_HOST`));
    assert.match(issues, new RegExp(`\\(id ${indicatorId(4)}\\): error INVALID_URL`));
  });
});

describe('STIX url:value forms in real feeds', () => {
  const talos = 'stix/talos_2024-05-carnavalhiest_stix20.json';
  it('builds the Talos WebDAV URLs', { skip: skipWithoutShared(talos) }, async (t) => {
    const summary = await build(t, sharedFile(talos));
    assertReconciles(summary);
    // The two search: links and the UNC path are read as the WebDAV URLs they open.
    assert.equal(summary.counts.rowsRead, 63);
    assert.equal(summary.counts.rejected, 0);
    assert.equal(summary.counts.accepted, 63);
    const issues = await readFile(summary.issues.file, 'utf8');
    assert.equal(issues.match(/warning URL_PORT_AFTER_AT/g)?.length, 6);
    assert.equal(issues.match(/warning URL_UNC_PATH/g)?.length, 3);
    assert.doesNotMatch(issues, /is only digits/);
    const csv = await readFile(join(summary.packs[0]?.folder ?? '', 'indicators.csv'), 'utf8');
    assert.match(csv, /"hxxps:\/\/104\[\.\]41\[\.\]51\[\.\]80:80\/Documentos\/files\/a3\.cmd"/);
    assert.match(csv, /"url","hxxp:\/\/4\[\.\]203\[\.\]105\[\.\]118\/Documentos"/);
    assert.match(
      csv,
      /"url","hxxp:\/\/abrir-documento-adobe-reader-1\[\.\]brazilsouth\[\.\]cloudapp\[\.\]azure\[\.\]com\/Documentos\/dc\/c\.cmd"/,
    );
  });

  const boggy = 'stix/unit42-playbook_boggyserpens_stix20.json';
  it('builds the Unit 42 bare host names', { skip: skipWithoutShared(boggy) }, async (t) => {
    const summary = await build(t, sharedFile(boggy));
    assertReconciles(summary);
    // Five patterns huntpack cannot hunt are rejected. One URL has a space in its query, which
    // is read as %20, the form that browsers send.
    assert.equal(summary.counts.rowsRead, 125);
    assert.equal(summary.counts.rejected, 5);
    assert.equal(summary.counts.accepted, 120);
    const issues = await readFile(summary.issues.file, 'utf8');
    assert.equal(issues.match(/warning URL_SPACE_ENCODED/g)?.length, 1);
    assert.match(
      issues,
      /warning URL_SPACE_ENCODED: Read the URL "http:\/\/82\.102\.8\.101\/bcerrxy\.php.*space in its path or query \(the first at position 224\)/,
    );
    assert.equal(issues.match(/warning STIX_URL_BARE_HOST/g)?.length, 43);
    assert.doesNotMatch(issues, /Declare a bare host name as domain/);
    assert.match(
      issues,
      /\(id indicator--1704e11d-9086-4c9a-9462-dc5703e54d9e\): warning STIX_URL_BARE_HOST: url:value "www\.ztm\.waw\.pl"/,
    );
  });
});
