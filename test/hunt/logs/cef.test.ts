import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCef } from '../../../src/hunt/logs/cef.js';
import { parseCefRecord } from '../../../src/hunt/logs/cef-record.js';
import type { RecordContext } from '../../../src/hunt/logs/record.js';
import { sharedFile, skipWithoutShared } from '../../helpers/shared.js';
import { collectEvents, eventAt, logFixture } from './collect-events.js';

function extensionOf(text: string): Array<[string, string]> {
  const result = parseCef(text);
  assert.ok(result.ok, `not parsed: ${text}`);
  return result.message.extension;
}

function escapeValue(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/=/g, '\\=')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

describe('parseCef', () => {
  it('splits values at the space before the next key', () => {
    assert.deepEqual(extensionOf('CEF:0|a|b|c|d|e|f|msg=two words src=1.2.3.4'), [
      ['msg', 'two words'],
      ['src', '1.2.3.4'],
    ]);
  });

  it('keeps unescaped equals signs inside URLs and base64', () => {
    assert.deepEqual(extensionOf('CEF:0|a|b|c|d|e|f|request=https://x/?a=b&c==d cs1=YQ== act=x'), [
      ['request', 'https://x/?a=b&c==d'],
      ['cs1', 'YQ=='],
      ['act', 'x'],
    ]);
  });

  it('decodes extension escapes', () => {
    assert.deepEqual(extensionOf('CEF:0|a|b|c|d|e|f|msg=a\\=b c\\\\d\\ne\\rf g'), [
      ['msg', 'a=b c\\d\ne\rf g'],
    ]);
  });

  it('keeps a backslash that starts no escape', () => {
    assert.deepEqual(extensionOf('CEF:0|a|b|c|d|e|f|sproc=C:\\Windows\\x.exe'), [
      ['sproc', 'C:\\Windows\\x.exe'],
    ]);
  });

  it('decodes header escapes', () => {
    const result = parseCef('CEF:0|Ac\\|me|Fire\\\\wall|1|2|n|3|');
    assert.ok(result.ok);
    assert.equal(result.message.vendor, 'Ac|me');
    assert.equal(result.message.product, 'Fire\\wall');
    assert.deepEqual(result.message.extension, []);
  });

  it('reads empty values and a space before a value', () => {
    assert.deepEqual(extensionOf('CEF:0|a|b|c|d|e|f|src= dst=1.1.1.1 spt= 12345'), [
      ['src', ''],
      ['dst', '1.1.1.1'],
      ['spt', '12345'],
    ]);
  });

  it('accepts empty header fields', () => {
    const result = parseCef('CEF:0||||N/A|URL Access Violation|Substantial|cat=attack');
    assert.ok(result.ok);
    assert.equal(result.message.vendor, '');
    assert.equal(result.message.signatureId, 'N/A');
    assert.equal(result.message.severity, 'Substantial');
  });

  it('drops an extra empty field before the vendor', () => {
    const result = parseCef('CEF:0||Check Point|VPN-1|Check Point|Log|https|Unknown|act=Accept');
    assert.ok(result.ok);
    assert.equal(result.message.vendor, 'Check Point');
    assert.equal(result.message.name, 'https');
    assert.equal(result.message.severity, 'Unknown');
    assert.deepEqual(result.message.extension, [['act', 'Accept']]);
  });

  it('finds CEF after a repeated prefix', () => {
    const result = parseCef('CEF:CEF:0|F5|ASM|15|id|name|2|src=1.2.3.4');
    assert.ok(result.ok);
    assert.equal(result.message.vendor, 'F5');
    assert.equal(result.message.prefix, 'CEF:');
  });

  it('separates pairs at line breaks', () => {
    assert.deepEqual(extensionOf('CEF:0|a|b|c|d|e|f|\napp=smb\n  dvc=4.5.6.7\nmsg=one\n  two'), [
      ['app', 'smb'],
      ['dvc', '4.5.6.7'],
      ['msg', 'one\n  two'],
    ]);
  });

  it('rejects a header with too few fields', () => {
    const result = parseCef('<13>Jan  1 host CEF:0|a|b|c');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, 'INCOMPLETE_CEF_HEADER');
    assert.match(!result.ok ? result.message : '', /^CEF header "CEF:0\|a\|b\|c" has 2 of the 6/);
  });

  it('round-trips any escaped value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const extension = extensionOf(`CEF:0|a|b|c|d|e|f|k1=${escapeValue(value)} k2=x`);
        assert.deepEqual(extension, [
          ['k1', value.trim()],
          ['k2', 'x'],
        ]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on arbitrary input', () => {
    const context: RecordContext = { file: 'x', line: 1, time: {}, warn: () => undefined };
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        parseCefRecord(`CEF:0|${text}`, context);
        parseCefRecord(text, context);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('readLogs on CEF', () => {
  it('maps hard cases onto CommonSecurityLog columns', async () => {
    const { events, stats } = await collectEvents([logFixture('cef/hard-cases.log')]);
    assert.equal(stats.files[0]?.format, 'cef');
    assert.equal(stats.linesRead, 14);
    assert.equal(stats.eventsParsed, 11);
    assert.deepEqual(stats.rejectedByReason, { NOT_CEF: 1, INCOMPLETE_CEF_HEADER: 1 });
    assert.deepEqual(stats.skippedByReason, { BLANK_LINE: 1 });

    const first = eventAt(events, 1).columns;
    assert.equal(first.DeviceVendor, 'Acme|Corp');
    assert.equal(first.DeviceProduct, 'Fire\\wall');
    assert.equal(first.SourceIP, '10.0.0.1');
    assert.equal(first.DestinationIP, '198.51.100.7');
    assert.equal(first.SourcePort, 1234);
    assert.equal(first.DestinationPort, 443);
    assert.equal(first.RequestURL, 'https://x.test/a?b=c&d==e');
    assert.equal(first.Message, 'first\nsecond key=val path\\share');
    assert.equal(first.DeviceCustomString1, 'abc');
    assert.equal(first.DeviceCustomString1Label, 'Rule');
    assert.equal(first.Computer, 'fw01');
    assert.equal(first.TimeGenerated, undefined);

    const rfc5424 = eventAt(events, 4).columns;
    assert.deepEqual(rfc5424.TimeGenerated, new Date('2021-06-18T10:55:50.000Z'));
    assert.equal(rfc5424.Computer, 'host5424');

    const emptyValues = eventAt(events, 5).columns;
    assert.equal(emptyValues.SourceIP, undefined);
    assert.equal(emptyValues.DestinationIP, '1.1.1.1');
    assert.equal(emptyValues.SourcePort, 12345);
    assert.deepEqual(emptyValues.TimeGenerated, new Date(1659523775038));

    const badPort = eventAt(events, 6).columns;
    assert.equal(badPort.DestinationPort, undefined);
    assert.equal(badPort.SourcePort, undefined);
    assert.deepEqual(badPort.TimeGenerated, new Date('2022-07-25T09:56:13Z'));

    assert.deepEqual(eventAt(events, 7).columns.TimeGenerated, new Date('2022-07-31T10:46:24Z'));
    assert.equal(eventAt(events, 8).columns.DeviceCustomString2, 'aGVsbG8gd29ybGQ=');

    const checkPoint = eventAt(events, 9).columns;
    assert.equal(checkPoint.DeviceVendor, 'Check Point');
    assert.equal(checkPoint.DeviceCustomIPv6Address2, 'fd00::555');
    assert.equal(checkPoint.DeviceCustomIPv6Address2Label, 'Source IPv6 Address');

    assert.equal(eventAt(events, 13).columns.DeviceProduct, 'ASM');
    assert.equal(eventAt(events, 14).columns.AdditionalExtensions, 'myKey=one two;otherKey=three');
  });

  it('reports field problems without dropping the event', async () => {
    const { stats } = await collectEvents([logFixture('cef/hard-cases.log')]);
    assert.equal(stats.fieldWarningsByReason.INVALID_PORT, 2);
    assert.equal(stats.fieldWarningsByReason.AMBIGUOUS_TIME, 4);
    const portWarning = stats.warnings.find((warning) => warning.code === 'INVALID_PORT');
    assert.equal(portWarning?.source?.line, 6);
    assert.match(portWarning?.message ?? '', /"https"/);
    const rejection = stats.rejections.find((issue) => issue.code === 'NOT_CEF');
    assert.equal(rejection?.source?.line, 10);
  });

  it('resolves syslog times with year and timezone', async () => {
    const { events, stats } = await collectEvents([logFixture('cef/hard-cases.log')], {
      year: 2024,
      timezone: 'Europe/Paris',
    });
    assert.equal(stats.fieldWarningsByReason.AMBIGUOUS_TIME, undefined);
    assert.deepEqual(eventAt(events, 1).columns.TimeGenerated, new Date('2024-08-03T10:00:00Z'));
    assert.deepEqual(eventAt(events, 2).columns.TimeGenerated, new Date('2024-03-15T07:30:00Z'));
    assert.deepEqual(eventAt(events, 3).columns.TimeGenerated, new Date('2024-02-05T07:30:00Z'));
    assert.deepEqual(eventAt(events, 13).columns.TimeGenerated, new Date('2012-10-04T11:15:29Z'));
  });

  it('reads CEF held in JSON message fields', async () => {
    const { events, stats } = await collectEvents([logFixture('cef/multi-line.jsonl')]);
    assert.equal(stats.linesRead, 4);
    assert.deepEqual(stats.rejectedByReason, { MISSING_CEF_MESSAGE: 1, INVALID_JSON: 1 });
    const first = eventAt(events, 1).columns;
    assert.equal(first.Activity, 'Multi-line header');
    assert.equal(first.DestinationIP, '10.2.2.2');
    assert.equal(first.Message, 'first line\n  second line');
    assert.deepEqual(first.TimeGenerated, new Date(1700000000000));
    assert.equal(eventAt(events, 2).columns.SourceIP, '10.1.1.3');
  });

  it('reads the Azure Sentinel CEF samples', async () => {
    const { events, stats } = await collectEvents([logFixture('cef')], { format: 'cef' });
    const barracuda = 'azure-sentinel_barracudaWAFCEF_TRIMMED.txt';
    const fortiweb = 'azure-sentinel_fortiwebwafsamplelog_TRIMMED.txt';
    assert.equal(stats.files.find((file) => file.file.endsWith(barracuda))?.eventsParsed, 5);
    assert.equal(stats.files.find((file) => file.file.endsWith(fortiweb))?.eventsParsed, 12);

    const waf = eventAt(events, 1, barracuda).columns;
    assert.equal(waf.DeviceVendor, 'BarracudaNetworks');
    assert.equal(waf.SourceIP, '101.173.234.143');
    assert.equal(waf.Message, 'lang=en');
    assert.equal(waf.DestinationUserName, '"-"');
    assert.equal(waf.DestinationPort, 9049);
    assert.deepEqual(waf.TimeGenerated, new Date(1659523775038));

    const web = eventAt(events, 1, fortiweb).columns;
    assert.equal(web.DeviceVendor, undefined);
    assert.equal(web.DeviceEventClassID, 'N/A');
    assert.equal(web.DeviceCustomString1, 'My App 1');
    assert.equal(web.DestinationHostName, 'soartesting.net');
    assert.deepEqual(web.TimeGenerated, new Date('2022-07-25T09:56:13Z'));
  });
});

describe('readLogs on vendor CEF samples', { skip: skipWithoutShared('logs/cef') }, () => {
  it('parses every line or reports it', async () => {
    const { stats } = await collectEvents([sharedFile('logs/cef')]);
    assert.equal(stats.linesRead, 151);
    assert.equal(stats.eventsParsed, 150);
    assert.deepEqual(stats.rejectedByReason, { INCOMPLETE_CEF_HEADER: 1 });
    const rejection = stats.rejections[0];
    assert.match(rejection?.source?.file ?? '', /sekoia_citrix-adc_cef\.log$/);
    assert.equal(rejection?.source?.line, 3);
    assert.deepEqual(stats.fileErrors, []);
  });

  it('maps vendor quirks to the right columns', async () => {
    const { events } = await collectEvents([sharedFile('logs/cef')]);
    const paloAlto = eventAt(events, 1, 'sekoia_paloalto-ngfw_cef.log').columns;
    assert.equal(paloAlto.DeviceProduct, 'LF');
    assert.deepEqual(paloAlto.TimeGenerated, new Date('2021-02-28T18:20:54Z'));
    assert.equal(paloAlto.DeviceTimeZone, 'UTC');

    const sonicWall = eventAt(events, 1, 'sekoia_sonicwall-fw_cef.log').columns;
    assert.equal(sonicWall.SourcePort, 12345);
    assert.equal(sonicWall.Protocol, 'tcp/https');

    const f5 = eventAt(events, 2, 'sekoia_f5-big-ip_cef.jsonl').columns;
    assert.equal(f5.SourceIP, undefined);
    assert.equal(f5.DeviceCustomIPv6Address2, 'fc55::99');

    const checkPoint = eventAt(events, 3, 'elastic-beats_checkpoint.log').columns;
    assert.equal(checkPoint.DeviceCustomIPv6Address2, 'fd00::555');
    const nozomi = eventAt(events, 1, 'sekoia_nozomi-cmc_cef.jsonl').columns;
    assert.equal(nozomi.DeviceEventClassID, 'SIGN:MALWARE-DETECTED');
    assert.equal(nozomi.DestinationPort, 445);
  });
});

describe('parseCefRecord with full key names', () => {
  const context: RecordContext = { file: 'test.log', line: 1, time: {}, warn: () => {} };

  function columnsOf(line: string): Record<string, unknown> {
    const outcome = parseCefRecord(line, context);
    assert.equal(outcome.kind, 'event');
    return outcome.kind === 'event' ? outcome.columns : {};
  }

  it('maps them like the short keys', () => {
    const head = 'CEF:0|Acme|FW|1.0|1|Conn|5|rt=1785500000000 ';
    const full = columnsOf(
      head +
        'sourceAddress=10.0.0.1 sourcePort=50000 destinationAddress=203.0.113.7 ' +
        'destinationPort=8084 destinationHostName=c2.example requestUrl=https://c2.example/a ' +
        'deviceAction=allow transportProtocol=TCP bytesIn=10 deviceCustomString1=x ' +
        'deviceCustomString1Label=note deviceCustomNumber1=4294967296',
    );
    const short = columnsOf(
      head +
        'src=10.0.0.1 spt=50000 dst=203.0.113.7 dpt=8084 dhost=c2.example ' +
        'request=https://c2.example/a act=allow proto=TCP in=10 cs1=x cs1Label=note ' +
        'cn1=4294967296',
    );
    assert.deepEqual(full, short);
    assert.equal(full.SourceIP, '10.0.0.1');
    assert.equal(full.DestinationIP, '203.0.113.7');
    assert.equal(full.DestinationPort, 8084);
    assert.equal(full.RequestURL, 'https://c2.example/a');
    assert.equal(full.FieldDeviceCustomNumber1, 4294967296);
    assert.equal(full.AdditionalExtensions, undefined);
  });

  // CEF keys are case-sensitive. A key that Sentinel's CEF mapping does not list stays out of
  // RequestURL, so the local hunt and the KQL hunt, which reads RequestURL, miss it alike.
  it('keeps other spellings of requestUrl out of RequestURL', () => {
    const head = 'CEF:0|Acme|Proxy|1.0|1|Web|5|rt=1785500000000 src=10.0.0.1 ';
    for (const key of ['requestURL', 'requesturl', 'RequestURL', 'Request']) {
      const columns = columnsOf(`${head}${key}=https://c2.example/a`);
      assert.equal(columns.RequestURL, undefined, key);
      assert.equal(columns.AdditionalExtensions, `${key}=https://c2.example/a`, key);
    }
  });
});

describe(
  'readLogs on Cisco ESA full key names',
  { skip: skipWithoutShared('logs/cef/sekoia_cisco-esa_cef.log') },
  () => {
    it('reads sourceAddress and sourceHostName', async () => {
      const { events } = await collectEvents([sharedFile('logs/cef/sekoia_cisco-esa_cef.log')]);
      // Line 1 writes src=, and line 2 sourceAddress= and sourceHostName=.
      const second = eventAt(events, 2).columns;
      assert.equal(second.SourceIP, '1.2.3.4');
      assert.equal(second.SourceHostName, 'smtp.smtpout.example.org');
      assert.doesNotMatch(String(second.AdditionalExtensions), /sourceAddress=/);
    });
  },
);
