/**
 * Binary files given as logs: a NUL byte in the first 64 KiB, plain or once decompressed, fails
 * the file as BINARY_FILE before format detection and the line-end check, with or without
 * --format.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { LogInputError, readLogHead } from '../../../src/hunt/logs/log-input.js';
import type { LogFormat } from '../../../src/hunt/logs/read-logs.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { collectEvents } from './collect-events.js';

const LS = '/usr/bin/ls';

/** Returns the first `length` bytes of a file. */
async function fileStart(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Reads `file` and asserts that it failed as BINARY_FILE alone, with no event read. */
async function assertBinary(file: string, format?: LogFormat): Promise<void> {
  const { stats } = await collectEvents([file], {
    format,
    map: { dst: 'DestinationIP' },
  });
  const label = `${file} as ${format ?? 'detected'}`;
  assert.deepEqual(
    stats.fileErrors.map((issue) => issue.code),
    ['BINARY_FILE'],
    label,
  );
  assert.equal(stats.linesRead, 0, label);
  const message = stats.fileErrors[0]?.message ?? '';
  assert.match(message, /is a binary file, not a log: its first 64 KiB contain NUL bytes\./);
  assert.match(message, /CEF, CommonSecurityLog and DeviceNetworkEvents exports/);
  assert.match(message, /Suricata eve\.json, and other CSV or JSON files with --map\./);
  assert.doesNotMatch(message, /carriage return|classic Mac OS/);
}

describe('binary log inputs', () => {
  it('rejects the start of /usr/bin/ls', { skip: !existsSync(LS) }, async (t) => {
    const file = join(makeTempDir('binary', t), 'ls.bin');
    await writeFile(file, await fileStart(LS, 65536));
    for (const format of [undefined, 'cef', 'mapped-csv', 'mapped-json'] as const) {
      await assertBinary(file, format);
    }
  });

  it('rejects NUL before a lone CR', async (t) => {
    // Without the NUL check, a lone CR with text after it and no LF reads as CR line ends.
    const file = join(makeTempDir('binary', t), 'blob.dat');
    await writeFile(file, Buffer.from('MZ\u0000\u0000\rtext after a lone CR\u0000'));
    await assertBinary(file);
    await assertBinary(file, 'cef');
  });

  it('rejects binary content inside gzip', async (t) => {
    const file = join(makeTempDir('binary', t), 'blob.gz');
    await writeFile(file, gzipSync(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 10])));
    await assertBinary(file);
    await assertBinary(file, 'cef');
  });

  it('throws BINARY_FILE from readLogHead', async (t) => {
    const file = join(makeTempDir('binary', t), 'utf16.log');
    // A CEF line saved as UTF-16LE with a byte order mark has a NUL after every ASCII byte.
    const text = 'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.0.0.1 dst=203.0.113.7\n';
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await assert.rejects(readLogHead(file), (error: unknown) => {
      assert.ok(error instanceof LogInputError);
      assert.equal(error.code, 'BINARY_FILE');
      assert.deepEqual(error.source, { file });
      assert.match(error.message, /convert a log saved as UTF-16 to UTF-8 first\.$/);
      return true;
    });
  });

  it('reads a NUL after the first 64 KiB', async (t) => {
    const file = join(makeTempDir('binary', t), 'late-nul.log');
    const line = 'CEF:0|Acme|FW|1.0|1|Conn|5|src=10.0.0.1 dst=203.0.113.7 rt=1700000000000\n';
    const lines = line.repeat(Math.ceil(65536 / line.length) + 1);
    assert.ok(lines.length > 65536);
    // The NUL is past the block that is checked, so it stays a value of the last event.
    await writeFile(file, `${lines}${line.replace('Conn', 'Co\u0000nn')}`);
    const { stats } = await collectEvents([file]);
    assert.deepEqual(stats.fileErrors, []);
    assert.equal(stats.files[0]?.format, 'cef');
    assert.equal(stats.eventsParsed, lines.split('\n').length);
  });
});

describe('compressed logs other than gzip', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    [
      't.zip',
      Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'),
      /is a zip archive.*"unzip"/,
    ],
    [
      't.cef.bz2',
      Buffer.from('BZh91AY&SY~\xb2\x89\xc8', 'latin1'),
      /is bzip2-compressed.*"bunzip2 -k"/,
    ],
    [
      't.cef.xz',
      Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]),
      /is xz-compressed.*"unxz -k"/,
    ],
  ];
  for (const [name, start, message] of cases) {
    it(`names the format of ${name}`, async (t) => {
      const file = join(makeTempDir('compressed-log', t), name);
      await writeFile(file, Buffer.concat([start, Buffer.from('rest of the file\n')]));
      const { stats } = await collectEvents([file]);
      assert.equal(stats.fileErrors[0]?.code, 'COMPRESSED_FILE');
      assert.match(stats.fileErrors[0].message, message);
    });
  }

  it('reads text that starts with BZh', async (t) => {
    const file = join(makeTempDir('compressed-log', t), 'bzh.log');
    await writeFile(file, 'BZh9 is text\n');
    const { stats } = await collectEvents([file]);
    assert.notEqual(stats.fileErrors[0]?.code, 'COMPRESSED_FILE');
  });
});
