/**
 * Writes a ThreatFox-shaped CSV of N rows grown from the real rows of the bundled export: each
 * copy keeps a real row's family, type, threat type and dates, and gets a distinct value and id.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';

const SOURCE = new URL('../data/threatfox/fabi2708_csv-recent_2026-04-12.csv', import.meta.url);

/** Varies a value so that copy `n` of a row is a different indicator of the same type. */
function vary(value: string, type: string, n: number): string {
  const a = (n >>> 16) & 255;
  const b = (n >>> 8) & 255;
  const c = n & 255;
  switch (type) {
    case 'ip:port':
      return `${11 + (n % 200)}.${a}.${b}.${c}:${1024 + (n % 60000)}`;
    case 'domain':
      return `n${n}.${value}`;
    case 'url':
      // A query parameter, not a new subdomain: a host such as n1.192.0.2.1 would be invalid.
      return `${value}${value.includes('?') ? '&' : '?'}huntpack-bench=${n}`;
    default:
      return n.toString(16).padStart(64, '0').slice(-value.length);
  }
}

export async function growThreatFoxCsv(target: string, rows: number): Promise<void> {
  const text = await readFile(SOURCE, 'utf8');
  const lines = text.split(/\r?\n/);
  const header = lines.filter((line) => line.startsWith('#'));
  const data = lines.filter((line) => line.startsWith('"'));
  const out = createWriteStream(target);
  out.write(header.filter((line) => !line.startsWith('# Number')).join('\n') + '\n');
  for (let n = 0; n < rows; n += 1) {
    const fields = data[n % data.length]!.split('", "');
    const type = fields[3]!;
    fields[1] = String(2_000_000 + n);
    fields[2] = vary(fields[2]!, type, n);
    if (!out.write(fields.join('", "') + '\n')) await once(out, 'drain');
  }
  out.write(`# Number of entries: ${rows}`);
  out.end();
  await once(out, 'finish');
}
