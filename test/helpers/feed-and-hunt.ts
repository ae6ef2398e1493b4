/**
 * Small ThreatFox CSV feeds and CEF logs written by end-to-end tests, and a local hunt over them
 * that returns which hunt matched which log line.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from './cli.js';

/** The header of ThreatFox's "recent" CSV export, which has 15 columns. */
export const THREATFOX_HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",' +
  '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags",' +
  '"anonymous","reporter"';

/** A family as a ThreatFox row names it. */
export interface FeedFamily {
  malpedia: string;
  name: string;
  threatType: string;
}

/** Returns a ThreatFox CSV export of one row per `[value, ioc_type]`, ids counted from 1. */
export function threatFoxCsv(family: FeedFamily, rows: ReadonlyArray<[string, string]>): string {
  const lines = rows.map(
    ([value, type], index) =>
      `"2026-04-11 20:39:25", "${index + 1}", "${value}", "${type}", "${family.threatType}", ` +
      `"${family.malpedia}", "None", "${family.name}", "", "100", "False", "None", "None", "0", "tester"`,
  );
  return [THREATFOX_HEADER, ...lines, ''].join('\n');
}

/** Returns a CEF line on the syslog header of a firewall, with `extension` after the header. */
export function cefLine(minute: number, extension: string): string {
  const clock = `09:${String(minute).padStart(2, '0')}:42`;
  return (
    `Jul 25 ${clock} fw CEF:0|Vendor|Firewall|1|1|Connection|5|` +
    `rt=2026-07-25T04:${String(minute).padStart(2, '0')}:13Z ${extension}`
  );
}

/**
 * Runs `huntpack hunt --pack PACK LOG --json` and returns each distinct `line huntId` pair that
 * matched, sorted. The run must be complete.
 */
export async function huntedLines(pack: string, log: string, folder: string): Promise<string[]> {
  const hunt = await runCli([
    'hunt',
    '--pack',
    pack,
    log,
    '--json',
    '--report',
    join(folder, 'hunt-report.md'),
  ]);
  assert.equal(hunt.code, 0, hunt.stderr);
  const result = JSON.parse(hunt.stdout) as {
    complete: boolean;
    findings: Array<{ huntId: string; line: number }>;
  };
  assert.equal(result.complete, true);
  const pairs = result.findings.map((finding) => `${finding.line} ${finding.huntId}`);
  return [...new Set(pairs)].sort();
}
