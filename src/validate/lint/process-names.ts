/**
 * Names of Windows processes that hand-written filters get wrong, read from
 * `data/processes/task-scheduler.json`.
 */
import { readFileSync } from 'node:fs';

interface SchedulerFile {
  aliases: string[];
  processNames: string[];
}

const SCHEDULER_FILE = new URL('../../../data/processes/task-scheduler.json', import.meta.url);

let scheduler: SchedulerFile | undefined;

function loadScheduler(): SchedulerFile {
  scheduler ??= JSON.parse(readFileSync(SCHEDULER_FILE, 'utf8')) as SchedulerFile;
  return scheduler;
}

/** True when a value names the Task Scheduler rather than a process, as "task scheduler" does. */
export function isSchedulerAlias(value: string): boolean {
  const normalized = value.trim().toLowerCase().replace(/\s+/g, ' ');
  return loadScheduler().aliases.includes(normalized);
}

/** Returns the processes that run scheduled tasks: svchost.exe, taskeng.exe, taskhostw.exe. */
export function schedulerProcessNames(): string[] {
  return [...loadScheduler().processNames];
}

/** True when a column contains a process file name, such as `InitiatingProcessFileName` or `process.name`. */
export function isProcessNameColumn(column: string): boolean {
  return (
    /process.*(file)?name|^(process\.)?(parent\.)?name$|image$/i.test(column) &&
    !/account|user|host|device/i.test(column)
  );
}

/**
 * True when a value cannot be a Windows process file name: it has no extension, or it has
 * characters that Windows forbids in file names.
 */
export function isImplausibleProcessName(value: string): boolean {
  const name = value.split(/[\\/]/).pop() ?? value;
  return !/\.[A-Za-z0-9]{1,4}$/.test(name) || /[<>:"|?*]/.test(name);
}

/**
 * A Windows program file name as hand-written exclusions list it, optionally quoted:
 * `chrome.exe`, `"msedge.exe"`. Only `.exe` and `.scr` count, because a line of other dotted
 * names (`update.microsoft.com`) may list hosts, not processes.
 */
const LISTED_PROCESS_NAME = /^(["'`]?)([^\s"'`,;()=<>!~\\/]+\.(?:exe|scr))\1$/i;

/** Commas, semicolons, the words `or` and `and`, or spaces alone between the names of a list. */
const NAME_SEPARATOR = /\s*(?:[,;]|\s(?:or|and)\s)\s*|\s+/i;

/** A verb that marks the names after it as the events to drop, as in `exclude chrome.exe`. */
const DROP_VERB = /^(?:exclude|excluding|ignore|drop|remove|skip|filter out)(?:\s*:\s*|\s+)/i;

/**
 * Returns the process names of a line that lists only names, with no column or operator, such
 * as `chrome.exe, msedge.exe`, `chrome.exe msedge.exe`, `("chrome.exe" or "msedge.exe")` or
 * `exclude chrome.exe and msedge.exe`. Returns undefined for any other line.
 */
export function readProcessNameList(text: string): string[] | undefined {
  const list = text
    .trim()
    .replace(DROP_VERB, '')
    .replace(/^\((.*)\)$/, '$1');
  const names: string[] = [];
  for (const item of list.split(NAME_SEPARATOR)) {
    const name = LISTED_PROCESS_NAME.exec(item.trim())?.[2];
    if (name === undefined) return undefined;
    if (!names.some((known) => known.toLowerCase() === name.toLowerCase())) names.push(name);
  }
  return names.length > 0 ? names : undefined;
}
