/** The pack-writing step of `huntpack build`, and what it prints when a signal stops it. */
import { existsSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, InternalError } from '../errors.js';
import type { Pack } from '../report/pack-model.js';
import { PARTIAL_PACK_FILE, writePack } from '../report/write-pack.js';
import type { QueryCheckFailure } from '../validate/deferred-checks.js';
import { listSizeWarnings } from './build-list-url.js';
import type { BuildCollections } from './garbage-collection.js';
import type { CliIo } from './io.js';
import { count } from './text.js';

/** Figures the build prints for each pack it wrote. */
export interface PackSummary {
  family: string;
  malpedia?: string;
  folder: string;
  indicators: number;
  setAside: number;
  queries: number;
  /** Indicators too long for any query, left out of the hunts. */
  omittedIndicators: number;
}

/** The packs of a build written so far, and the one being written. */
export interface WriteProgress {
  written: number;
  writing?: string;
}

/** Returns the message for a build stopped by a signal while it wrote packs. */
export function interruptMessage(signal: string, outDir: string, progress: WriteProgress): string {
  const complete = `${count(progress.written, 'pack')} of this build ${progress.written === 1 ? 'is' : 'are'} complete`;
  const partial =
    progress.writing === undefined
      ? ''
      : ` ${join(outDir, progress.writing)} was being written and has no pack.json, so hunt rejects it.`;
  return (
    `huntpack: stopped by ${signal} while writing packs to ${outDir}: ${complete}, and packs of ` +
    `earlier builds there are as they were.${partial} Build again to finish.\n`
  );
}

/**
 * Makes SIGINT and SIGTERM during pack writing print what the output folder then contains, and
 * exit with 128 plus the signal number, as the process would without the handler. Returns the
 * function that removes the handlers.
 */
function noticeInterrupt(io: CliIo, outDir: string, progress: WriteProgress): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    // The first step of writing a pack removes its pack.json. While that file is still there,
    // the pack is as the earlier build left it.
    const writing = progress.writing;
    const untouched = writing !== undefined && existsSync(join(outDir, writing, 'pack.json'));
    // A pack.json that the exit cuts short has its partial name, and no use.
    if (writing !== undefined) rmSync(join(outDir, writing, PARTIAL_PACK_FILE), { force: true });
    const reported = untouched ? { written: progress.written } : progress;
    io.stderr.write(interruptMessage(signal, outDir, reported));
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * Writes a pack. A file system error, such as a full disk or a file where a folder should be,
 * becomes a configuration error that names the pack folder instead of an internal error.
 */
async function writePackOrFail(pack: Pack, outDir: string): Promise<string> {
  try {
    return await writePack(pack, outDir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    throw new ConfigError(
      'PACK_NOT_WRITTEN',
      `Cannot write the pack ${join(outDir, pack.slug)}: ${(error as Error).message}. The folder has no pack.json now. Free space or fix the folder, then build again.`,
      { cause: error },
    );
  }
}

/**
 * Writes each pack that `built` yields, with the warnings about its list files, and returns what
 * the summary prints of each. Pass `collections` only when nothing else references the packs'
 * indicators, as in a build without --state.
 */
export async function writePacks(
  built: Iterable<Pack>,
  outDir: string,
  io: CliIo,
  collections: BuildCollections | undefined,
): Promise<PackSummary[]> {
  const packs: PackSummary[] = [];
  let previousPack = 0;
  const progress: WriteProgress = { written: 0 };
  const stopNotice = noticeInterrupt(io, outDir, progress);
  try {
    for (const pack of built) {
      // Neither this loop nor the generator, which has built the next pack, references the
      // previous pack any more.
      collections?.packReleased(previousPack);
      previousPack = pack.indicators.length;
      progress.writing = pack.slug;
      const folder = await writePackOrFail(pack, outDir);
      await listSizeWarnings(pack, folder, io);
      packs.push({
        family: pack.family.name,
        malpedia: pack.family.malpedia,
        folder,
        indicators: pack.indicators.length,
        setAside: pack.setAside.length,
        queries: pack.queries.length,
        omittedIndicators: pack.omittedIndicators?.length ?? 0,
      });
      progress.written += 1;
      progress.writing = undefined;
    }
  } finally {
    stopNotice();
  }
  return packs;
}

/**
 * Removes the packs that hold a generated query which does not compile, so that none is deployed,
 * and returns the error that fails the build: that is a huntpack bug.
 */
export async function queryCheckError(
  failures: readonly QueryCheckFailure[],
  outDir: string,
): Promise<InternalError> {
  const packs = [...new Set(failures.map((failure) => failure.query.pack))];
  for (const pack of packs) await rm(join(outDir, pack), { recursive: true, force: true });
  const [first] = failures;
  const details = first!.errors.map(
    (error) => `  line ${error.line}, column ${error.column}: ${error.code} ${error.message}`,
  );
  const others =
    failures.length > 1 ? ` ${failures.length - 1} more generated queries fail too.` : '';
  const removed =
    packs.length === 1 ? `The pack ${packs[0]} was` : `The packs ${packs.join(', ')} were`;
  return new InternalError(
    'GENERATED_QUERY_INVALID',
    `The generated query ${first!.query.pack}/${first!.query.file} does not compile.${others} ` +
      `${removed} removed from ${outDir}. This is a huntpack bug; please report it with the ` +
      `query below.\n${details.join('\n')}\n\n${first!.query.text}`,
  );
}
