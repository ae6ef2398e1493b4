/**
 * Reads the hunts of a written pack back from its `pack.json`, for backends and the local hunt.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hunt } from '../compile/ir.js';
import { ConfigError } from '../errors.js';

/**
 * Returns the backend-neutral hunts of the pack in `folder`, with datetime cells of the
 * indicator tables turned back into Dates.
 *
 * @throws ConfigError when the folder has no readable pack.json or a hunt lacks its form.
 */
export async function readPackHunts(folder: string): Promise<Hunt[]> {
  const file = join(folder, 'pack.json');
  let parsed: {
    hunts?: Array<{
      id?: string;
      form?: Omit<Hunt, 'iocs'> & { iocs: Hunt['iocs'] | { ref: string } };
    }>;
    iocTables?: Record<string, Hunt['iocs']>;
  };
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new ConfigError(
      'INVALID_PACK',
      `Cannot read pack ${file}: ${(error as Error).message}. Build it with "huntpack build".`,
      { cause: error },
    );
  }
  const hunts: Hunt[] = [];
  // Hunts share indicator tables; each table's dates are revived once.
  const revived = new Set<Hunt['iocs']>();
  for (const entry of parsed.hunts ?? []) {
    const stored = entry.form;
    let iocs: Hunt['iocs'] | undefined;
    if (stored) iocs = 'ref' in stored.iocs ? parsed.iocTables?.[stored.iocs.ref] : stored.iocs;
    const form: Hunt | undefined = stored && iocs ? { ...stored, iocs } : undefined;
    if (!form?.iocs) {
      throw new ConfigError(
        'INVALID_PACK',
        `Hunt ${entry.id ?? '?'} in ${file} has no "form"; rebuild the pack with this huntpack version.`,
      );
    }
    if (revived.has(form.iocs)) {
      hunts.push(form);
      continue;
    }
    revived.add(form.iocs);
    const dateColumns = form.iocs.columns.flatMap((column, index) =>
      column.type === 'datetime' ? [index] : [],
    );
    for (const row of form.iocs.rows) {
      for (const index of dateColumns) {
        const cell = row[index];
        if (typeof cell === 'string') row[index] = new Date(cell);
      }
    }
    hunts.push(form);
  }
  return hunts;
}
