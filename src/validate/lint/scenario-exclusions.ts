/**
 * Finds the exclusions of a report in the two forms lint reads: hand-written "Filter/Exclusion:"
 * lines, and the "False-positive scenarios" section that huntpack writes into a pack's
 * report.md, where each scenario is a `### Title (on)` heading, a description and a fenced
 * `| where not(...)` line. Also reads the columns that the queries compute, which an exclusion
 * may compare as it compares a table's columns.
 */
import type { ColumnType } from '../../compile/ir.js';
import type { KqlBlock } from './kql-blocks.js';
import { findOperatorBodies, type ScannedKql } from './kql-scan.js';

/** An exclusion of a report, and the scenario text written with it. */
export interface ExclusionLine {
  line: number;
  column: number;
  /** Label before `text` in the report: `Filter/Exclusion:`, or `| where` in a pack's report. */
  label: string;
  /** The condition an event must meet to be kept. */
  text: string;
  scenario: string;
  /** 1-based lines of the scenario text read into `scenario`. */
  scenarioLines: number[];
  /**
   * The tables of the hunts that the scenario's "Applies to:" line names, when the report lists
   * those hunts with their tables. The exclusion is compiled only into these tables' queries.
   */
  tables?: string[];
}

const EXCLUSION_LABEL =
  /^\s*(?:[-*]\s*)?(?:\*\*)?Filter\s*\/\s*Exclusion(?:\*\*)?\s*:\s*(?:\*\*)?\s*/i;
const SCENARIO_LABEL = /^\s*(?:[-*]\s*)?(?:\*\*)?(Scenario|Description)(?:\*\*)?\s*:/i;

/** The section heading that `renderReport` writes above the scenarios of a pack. */
const SCENARIO_SECTION = /^##\s+False-positive scenarios\s*$/i;
/** A scenario heading, with its title in group 1 and without the "(on)" or "(off, ...)" state. */
const SCENARIO_HEADING = /^###\s+(.*?)(?:\s+\((?:on|off\b[^)]*)\))?\s*$/i;
const FENCE = /^\s*(```+|~~~+)/;
/** The `| where` of a fenced exclusion, followed by the condition to keep. */
const WHERE_PREFIX = /^\s*\|\s*where\s+/;
/** The line after a scenario's exclusion that lists the hunts it applies to by id. */
const APPLIES_TO = /^Applies to:\s*(.*)$/i;
/** The id line of a hunt in the report's hunt list, and the table line written after it. */
const HUNT_ID = /^-\s*Id:\s*`([^`]+)`/;
const HUNT_TABLE = /^-\s*Table:\s*([A-Za-z_]\w*)/;

/** Finds every exclusion of a report in either form, in line order. */
export function findExclusionLines(text: string): ExclusionLine[] {
  const lines = text.split(/\r?\n/);
  const found = [...findLabelledExclusions(lines), ...findScenarioExclusions(lines)];
  return found.sort((a, b) => a.line - b.line);
}

/** Returns the table of each hunt that the report lists as "- Id:" and "- Table:" lines. */
function readHuntTables(lines: string[]): Map<string, string> {
  const tables = new Map<string, string>();
  let id: string | undefined;
  for (const raw of lines) {
    const idMatch = HUNT_ID.exec(raw);
    const tableMatch = HUNT_TABLE.exec(raw);
    if (idMatch) id = idMatch[1];
    else if (tableMatch && id !== undefined) {
      tables.set(id, tableMatch[1] ?? '');
      id = undefined;
    }
  }
  return tables;
}

/** Finds "Filter/Exclusion:" lines and the "Scenario:" and "Description:" lines above each. */
function findLabelledExclusions(lines: string[]): ExclusionLine[] {
  const found: ExclusionLine[] = [];
  let scenario: string[] = [];
  let scenarioLines: number[] = [];
  lines.forEach((raw, index) => {
    const label = EXCLUSION_LABEL.exec(raw);
    if (label) {
      const body = raw
        .slice(label[0].length)
        .replace(/\*\*\s*$/, '')
        .replace(/^`(.*)`$/, '$1');
      const offset =
        raw.slice(label[0].length).length - raw.slice(label[0].length).trimStart().length;
      found.push({
        line: index + 1,
        column: label[0].length + offset + 1,
        label: 'Filter/Exclusion:',
        text: body.trim(),
        scenario: scenario.join(' '),
        scenarioLines,
      });
      scenario = [];
      scenarioLines = [];
    } else if (SCENARIO_LABEL.test(raw)) {
      scenario.push(raw.trim());
      scenarioLines.push(index + 1);
    }
  });
  return found;
}

/**
 * Finds the fenced `| where not(...)` lines of the "False-positive scenarios" section that
 * huntpack writes, each with the title and description of its scenario. The exclusion is the
 * text after `where`, because `not(...)` is the condition an event must meet to be kept.
 */
function findScenarioExclusions(lines: string[]): ExclusionLine[] {
  const found: ExclusionLine[] = [];
  const huntTables = readHuntTables(lines);
  // Exclusions of the current scenario, which its "Applies to:" line gives tables.
  let pending: ExclusionLine[] = [];
  let inSection = false;
  let scenario: string[] = [];
  let scenarioLines: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    if (/^##\s/.test(raw)) {
      inSection = SCENARIO_SECTION.test(raw);
      scenario = [];
      scenarioLines = [];
      continue;
    }
    if (!inSection) continue;

    const heading = SCENARIO_HEADING.exec(raw);
    const fence = FENCE.exec(raw);
    const applies = APPLIES_TO.exec(raw);
    if (heading) {
      scenario = [heading[1] ?? ''];
      scenarioLines = [index + 1];
      pending = [];
    } else if (applies) {
      const ids = [...(applies[1] ?? '').matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '');
      const tables = ids.flatMap((id) => huntTables.get(id) ?? []);
      // Without a table for every hunt named, the exclusion is checked on every table.
      if (ids.length > 0 && tables.length === ids.length) {
        for (const exclusion of pending) exclusion.tables = [...new Set(tables)];
      }
      pending = [];
    } else if (fence) {
      const marker = fence[1] ?? '```';
      for (index += 1; index < lines.length; index++) {
        const inner = lines[index] ?? '';
        if (inner.trimStart().startsWith(marker)) break;
        const where = WHERE_PREFIX.exec(inner);
        if (!where || scenarioLines.length === 0) continue;
        const exclusion: ExclusionLine = {
          line: index + 1,
          column: where[0].length + 1,
          label: '| where',
          text: inner.slice(where[0].length).trim(),
          scenario: scenario.join(' '),
          scenarioLines,
        };
        found.push(exclusion);
        pending.push(exclusion);
      }
    } else if (raw.trim() !== '' && scenarioLines.length > 0) {
      scenario.push(raw.trim());
      scenarioLines.push(index + 1);
    }
  }
  return found;
}

/** An assignment in an `extend`, with a string literal value in group 2. */
const EXTEND_ASSIGNMENT = /(?:^|,)\s*([A-Za-z_]\w*)\s*=(?![=~])\s*("[^"\\]*"|'[^'\\]*')?/g;

/** The columns that the `extend` operators of one query compute, with their types. */
export type ComputedColumns = Map<string, ColumnType>;

/**
 * Reads the columns that the `extend` operators of each query compute, so that an exclusion
 * may compare them. A column set only from string literals is a string. Any other is dynamic,
 * whose literals are not type-checked.
 */
export function readComputedColumns(scanned: readonly ScannedKql[]): ComputedColumns[] {
  return scanned.map((query) => {
    const types: ComputedColumns = new Map();
    for (const body of findOperatorBodies(query, 'extend')) {
      for (const match of body.text.matchAll(EXTEND_ASSIGNMENT)) {
        const name = match[1] ?? '';
        const type = match[2] && types.get(name) !== 'dynamic' ? 'string' : 'dynamic';
        types.set(name, type);
      }
    }
    return types;
  });
}

/**
 * Returns the computed columns of the queries that read one of `tables`, or of every query
 * without `tables`. `computed` lists the columns of each of `blocks`, as `readComputedColumns`
 * returns them. A column that the queries compute with two types is dynamic.
 */
export function computedColumnsFor(
  blocks: readonly KqlBlock[],
  computed: readonly ComputedColumns[],
  tables: readonly string[] | undefined,
): Array<{ name: string; type: ColumnType }> {
  const types: ComputedColumns = new Map();
  blocks.forEach((block, index) => {
    if (tables && !block.tables.some((table) => tables.includes(table))) return;
    for (const [name, type] of computed[index] ?? []) {
      const known = types.get(name);
      types.set(name, known === undefined || known === type ? type : 'dynamic');
    }
  });
  return [...types].map(([name, type]) => ({ name, type }));
}
