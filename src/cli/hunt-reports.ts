/** The Markdown hunt reports of `huntpack hunt`: one in each pack folder, or one with --report. */
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { HuntLogsResult } from '../hunt/engine.js';
import { renderHuntReport } from '../hunt/hunt-report.js';
import { writeFileAtomic } from '../pipeline/atomic-write.js';
import { HUNT_REPORT_FILE } from '../report/write-pack.js';
import { HUNTPACK_VERSION } from '../version.js';
import type { HuntFlags } from './hunt-options.js';
import type { LoadedHunts } from './hunt-sources.js';
import type { CliIo } from './io.js';
import { displayPath } from './text.js';

/** Returns the result limited to the hunts in `ids` and their findings. */
function resultOfHunts(result: HuntLogsResult, ids: ReadonlySet<string>): HuntLogsResult {
  // A hunt left out as a duplicate still owns the findings of the hunt that ran in its place.
  const owned = new Set(ids);
  for (const skipped of result.skipped) {
    if (ids.has(skipped.huntId) && skipped.sameAs !== undefined) owned.add(skipped.sameAs);
  }
  return {
    ...result,
    findings: result.findings.filter((finding) => owned.has(finding.huntId)),
    huntsRun: result.huntsRun.filter((id) => ids.has(id)),
    skipped: result.skipped.filter((skipped) => ids.has(skipped.huntId)),
    huntsWithoutValues: result.huntsWithoutValues.filter((hunt) => ids.has(hunt.huntId)),
  };
}

export async function writeReports(
  result: HuntLogsResult,
  loaded: LoadedHunts,
  flags: HuntFlags,
  logs: string[],
  window: string,
  io: CliIo,
): Promise<void> {
  const targets = new Map<string, HuntLogsResult>();
  const titles = new Map<string, string>();
  // Messages name --report as given, and a pack's report relative to the working folder.
  const shownPaths = new Map<string, string>();
  if (flags.report !== undefined) {
    const file = resolve(io.cwd, flags.report);
    targets.set(file, result);
    shownPaths.set(file, flags.report);
    const families = [...new Set(loaded.packTitles.values())];
    const feeds = loaded.feedNames.map((feed) => `feed ${feed}`);
    titles.set(file, [...families, ...feeds].join(', '));
  } else {
    const idsOfPack = new Map<string, Set<string>>();
    for (const [id, pack] of loaded.packOf) {
      const ids = idsOfPack.get(pack) ?? new Set<string>();
      ids.add(id);
      idsOfPack.set(pack, ids);
    }
    for (const [pack, ids] of idsOfPack) {
      targets.set(join(pack, HUNT_REPORT_FILE), resultOfHunts(result, ids));
      titles.set(join(pack, HUNT_REPORT_FILE), loaded.packTitles.get(pack) ?? pack);
    }
  }
  if (flags.report === undefined && (flags.feed?.length ?? 0) > 0) {
    io.stderr.write(
      targets.size === 0
        ? 'huntpack: no hunt report was written, because --feed hunts have no pack folder to hold one. Pass --report FILE to write one.\n'
        : 'huntpack: the hunt reports in the pack folders leave out the --feed hunts. Pass --report FILE to write one report of every hunt.\n',
    );
  }
  for (const [file, own] of targets) {
    const text = renderHuntReport(own, {
      title: titles.get(file) ?? file,
      logs,
      window,
      generatorVersion: HUNTPACK_VERSION,
      // The --feed indicators set aside belong to the one report of every hunt, because the
      // reports in pack folders leave out the --feed hunts.
      setAside: flags.report === undefined ? undefined : loaded.setAside,
    });
    try {
      await writeFileAtomic(file, text);
    } catch (error) {
      // The system message names the temporary file, which the user never gave, so only its
      // code and description are kept: "ENOENT: no such file or directory".
      const reason = (error as Error).message.replace(/, \w+ '.*'$/s, '');
      throw new ConfigError(
        'REPORT_NOT_WRITABLE',
        `Cannot write the hunt report to ${shownPaths.get(file) ?? displayPath(file, io.cwd)}: ${reason}. Pass a writable path with --report.`,
        { cause: error },
      );
    }
    io.stderr.write(`wrote hunt report ${file}\n`);
  }
}
