/**
 * The run manifest, `build-run.json` at the top of the output folder: the pack folders that one
 * build wrote, so a deploy script can distinguish them from packs that earlier builds left there.
 */
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../pipeline/atomic-write.js';

/** File name of the run manifest in the output folder. */
export const RUN_MANIFEST_FILE = 'build-run.json';

/** Version of the manifest format, raised when a field changes meaning. */
const RUN_MANIFEST_VERSION = 1;

/** Contents of `build-run.json`. */
export interface RunManifest {
  version: number;
  /** `huntpack` and its version. */
  generator: string;
  /** Start time of the build, in ISO 8601. */
  builtAt: string;
  /** Pack folders this build wrote, by name inside the output folder, in the order written. */
  packs: string[];
  /** Pack folders in the output folder that earlier builds wrote, by name. */
  earlierPacks: string[];
  /** Inputs that could not be read in full, so this build's packs may lack indicators. */
  failedInputs: string[];
}

/**
 * Deletes the manifest of an earlier build before this one writes packs, so a build that stops
 * midway leaves no manifest that names packs it may have half rewritten.
 */
export async function removeRunManifest(outDir: string): Promise<void> {
  await rm(join(outDir, RUN_MANIFEST_FILE), { force: true });
}

/** Writes the manifest atomically, so a reader sees the whole file or none. */
export async function writeRunManifest(
  outDir: string,
  run: {
    generatorVersion: string;
    now: Date;
    packFolders: readonly string[];
    earlierPacks: readonly string[];
    failedInputs: readonly string[];
  },
): Promise<void> {
  const manifest: RunManifest = {
    version: RUN_MANIFEST_VERSION,
    generator: `huntpack ${run.generatorVersion}`,
    builtAt: run.now.toISOString(),
    packs: run.packFolders.map((folder) => basename(folder)),
    earlierPacks: [...run.earlierPacks],
    failedInputs: [...run.failedInputs],
  };
  await writeFileAtomic(join(outDir, RUN_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}
