/**
 * Writes a CEF log of a given size grown from the real sample lines bundled under
 * test/fixtures/logs/cef: each copy keeps a real line's vendor fields and gets its own source and
 * destination address. Every `plantEvery`-th line instead carries one of the given C2 addresses
 * and ports as destination, so that the hunt has hits to find.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';

const SAMPLES = [
  new URL('../test/fixtures/logs/cef/azure-sentinel_barracudaWAFCEF_TRIMMED.txt', import.meta.url),
  new URL(
    '../test/fixtures/logs/cef/azure-sentinel_fortiwebwafsamplelog_TRIMMED.txt',
    import.meta.url,
  ),
];

export interface GrownCef {
  lines: number;
  planted: number;
}

async function sampleLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const file of SAMPLES) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (line.includes('CEF:') && / dst=\S+/.test(line) && / src=\S+/.test(line)) lines.push(line);
    }
  }
  return lines;
}

/** Writes at least `megabytes` MB (10^6 bytes) of CEF lines to `target`. */
export async function growCefLog(
  target: string,
  megabytes: number,
  c2: Array<{ address: string; port: number }>,
  plantEvery = 10_000,
): Promise<GrownCef> {
  const samples = await sampleLines();
  const out = createWriteStream(target);
  const limit = megabytes * 1e6;
  let written = 0;
  let planted = 0;
  let n = 0;
  for (; written < limit; n += 1) {
    const line = samples[n % samples.length]!;
    const a = (n >>> 16) & 255;
    const b = (n >>> 8) & 255;
    const c = n & 255;
    let destination = `dst=172.${16 + (n % 16)}.${b}.${c} dpt=${[443, 80, 8080][n % 3]}`;
    if (n % plantEvery === plantEvery - 1 && c2.length > 0) {
      const hit = c2[planted % c2.length]!;
      destination = `dst=${hit.address} dpt=${hit.port}`;
      planted += 1;
    }
    const text =
      line
        .replace(/ src=\S+/, ` src=10.${a}.${b}.${c}`)
        .replace(/ dst=\S+( dpt=\S+)?/, ` ${destination}`) + '\n';
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { lines: n, planted };
}
