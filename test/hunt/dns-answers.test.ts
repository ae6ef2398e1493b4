/**
 * A DNS answer that resolves a name to an indicator address is a hit of the address-only hunt,
 * for the answers of Zeek dns.log and Suricata eve.json alike. A DNS answer has no port, so no
 * port-aware hunt reads it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHunts } from '../../src/compile/build-hunts.js';
import { huntLogs } from '../../src/hunt/engine.js';
import { defaultExclusions } from '../../src/pipeline/scenarios.js';
import { makeIndicators } from '../helpers/hunt-fixtures.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const ZEEK_DNS = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tdns',
  [
    '#fields',
    'ts',
    'uid',
    'id.orig_h',
    'id.orig_p',
    'id.resp_h',
    'id.resp_p',
    'proto',
    'trans_id',
    'rtt',
    'query',
    'qclass',
    'qclass_name',
    'qtype',
    'qtype_name',
    'rcode',
    'rcode_name',
    'AA',
    'TC',
    'RD',
    'RA',
    'Z',
    'answers',
    'TTLs',
    'rejected',
  ].join('\t'),
  // A CNAME answer followed by the address it resolves to.
  [
    '1764583201.0',
    'Cd2',
    '10.0.0.5',
    '5001',
    '10.0.0.53',
    '53',
    'udp',
    '2',
    '0.01',
    'good.example.com',
    '1',
    'C_INTERNET',
    '1',
    'A',
    '0',
    'NOERROR',
    'F',
    'F',
    'T',
    'T',
    '0',
    'cname.evil-c2.badzone.top,45.9.148.10',
    '60.0,60.0',
    'F',
  ].join('\t'),
];

const SURICATA_DNS = {
  timestamp: '2025-12-01T10:00:02.000000+0000',
  flow_id: 3,
  event_type: 'dns',
  src_ip: '10.0.0.53',
  src_port: 53,
  dest_ip: '10.0.0.5',
  dest_port: 5002,
  proto: 'UDP',
  dns: {
    version: 2,
    type: 'answer',
    id: 1,
    rrname: 'good.com',
    rrtype: 'A',
    answers: [
      { rrname: 'good.com', rrtype: 'CNAME', rdata: 'evil-c2.badzone.top' },
      { rrname: 'evil-c2.badzone.top', rrtype: 'A', rdata: '45.9.148.10' },
    ],
  },
};

describe('DNS answers in local logs', () => {
  const hunts = buildHunts(
    makeIndicators([
      ['ip:port', '45.9.148.10:4444'],
      ['domain', 'unrelated.example'],
    ]),
    {
      family: 'TestFam',
      familySlug: 'testfam',
      lookback: { amount: 30, unit: 'd' },
      exclusionsFor: defaultExclusions,
    },
  );

  it('match a Zeek answer address', async (t) => {
    const file = join(makeTempDir('dns-answers', t), 'dns.log');
    await writeFile(file, ZEEK_DNS.join('\n') + '\n');
    const result = await huntLogs(hunts, [file]);
    assert.equal(result.findings.length, 1);
    const finding = result.findings[0]!;
    assert.equal(finding.huntId, 'testfam-sentinel-dns-address-only');
    assert.equal(finding.matchedOn, 'IPAddresses');
    assert.equal(finding.line, 7);
    assert.equal(finding.host, '10.0.0.5');
    assert.equal(finding.columns.Name, 'good.example.com');
  });

  it('match a Suricata answer address', async (t) => {
    const file = join(makeTempDir('dns-answers', t), 'eve.json');
    await writeFile(file, JSON.stringify(SURICATA_DNS) + '\n');
    const result = await huntLogs(hunts, [file]);
    assert.equal(result.findings.length, 1);
    const finding = result.findings[0]!;
    assert.equal(finding.huntId, 'testfam-sentinel-dns-address-only');
    assert.equal(finding.matchedOn, 'IPAddresses');
    assert.equal(finding.host, '10.0.0.5');
    assert.equal(finding.columns.IPAddresses, '45.9.148.10');
  });

  it('match the second address of an answer', async (t) => {
    const file = join(makeTempDir('dns-answers', t), 'eve.json');
    const answers = [
      { rrname: 'good.com', rrtype: 'A', rdata: '192.0.2.1' },
      { rrname: 'good.com', rrtype: 'A', rdata: '45.9.148.10' },
    ];
    const event = { ...SURICATA_DNS, dns: { ...SURICATA_DNS.dns, answers } };
    await writeFile(file, JSON.stringify(event) + '\n');
    const result = await huntLogs(hunts, [file]);
    assert.equal(result.findings.length, 1);
    assert.equal(result.findings[0]!.huntId, 'testfam-sentinel-dns-address-only');
    assert.equal(result.findings[0]!.columns.IPAddresses, '192.0.2.1,45.9.148.10');
  });
});

describe('DNS CNAME targets in local logs', () => {
  const hunts = buildHunts(makeIndicators([['domain', 'badzone.top']]), {
    family: 'TestFam',
    familySlug: 'testfam',
    lookback: { amount: 30, unit: 'd' },
    exclusionsFor: defaultExclusions,
  });

  /** Returns `line matchedOn Name` of each finding of the domain hunt over `file`. */
  async function domainFindings(file: string): Promise<string[]> {
    const result = await huntLogs(hunts, [file]);
    return result.findings.map((finding) => {
      assert.equal(finding.huntId, 'testfam-sentinel-dns-domain');
      return `${finding.line} ${finding.matchedOn} ${String(finding.columns.Name)}`;
    });
  }

  it('match a Zeek CNAME answer', async (t) => {
    const file = join(makeTempDir('dns-cname', t), 'dns.log');
    await writeFile(file, ZEEK_DNS.join('\n') + '\n');
    // The finding's Name is the answer that matched, not the query good.example.com.
    assert.deepEqual(await domainFindings(file), ['7 Name cname.evil-c2.badzone.top']);
  });

  it('match Suricata CNAME answers', async (t) => {
    const file = join(makeTempDir('dns-cname', t), 'eve.json');
    const grouped = {
      ...SURICATA_DNS,
      dns: {
        version: 2,
        type: 'answer',
        id: 2,
        rrname: 'www.good.com',
        rrtype: 'A',
        grouped: { CNAME: ['edge.badzone.top'], A: ['192.0.2.7'] },
      },
    };
    // Format 1 writes each answer record as an event of its own.
    const single = {
      ...SURICATA_DNS,
      dns: { type: 'answer', id: 3, rrname: 'cdn.good.com', rrtype: 'CNAME', rdata: 'badzone.top' },
    };
    const unrelated = {
      ...SURICATA_DNS,
      dns: {
        ...SURICATA_DNS.dns,
        answers: [{ rrname: 'good.com', rrtype: 'A', rdata: '192.0.2.1' }],
      },
    };
    const lines = [SURICATA_DNS, grouped, single, unrelated].map((event) => JSON.stringify(event));
    await writeFile(file, lines.join('\n') + '\n');
    assert.deepEqual(await domainFindings(file), [
      '1 Name evil-c2.badzone.top',
      '2 Name edge.badzone.top',
      '3 Name badzone.top',
    ]);
  });
});
