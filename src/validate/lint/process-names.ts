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
