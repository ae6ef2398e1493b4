/**
 * Renders a pack as the Markdown report a hunter reads: what the threat is, the indicators
 * defanged, every hunt query, the data sources they need and the false-positive scenarios.
 */
import { SENTINEL_QUERY_LIMIT } from '../backends/kql/kql.backend.js';
import { compileKqlFilter } from '../backends/kql/kql.filter.js';
import {
  DEFENDER_RETENTION_DAYS,
  exceedsDefenderRetention,
  ANALYTICS_RULE_MAX_DAYS,
  exceedsAnalyticsRulePeriod,
  formatLookback,
} from '../compile/ir.js';
import { CONFIDENCE_PREDICATES } from '../feeds/misp/confidence.js';
import { defang, defangDots } from '../indicators/defang.js';
import { UNKNOWN_FAMILY_NAME } from '../indicators/family-key.js';
import { describeKind, INDICATOR_KINDS, type Indicator } from '../indicators/model.js';
import { normalizeIndicator } from '../indicators/normalize.js';
import type { HistoryChange } from '../pipeline/history.js';
import { escapeMarkdown, markdownCodeSpan } from './markdown-escape.js';
import type { Pack, SetAsideIndicator } from './pack-model.js';
import { defangEntry, defangReason } from './list-entry.js';
import { familyKindWords, shortNameList, threatGroupNames } from './threat-groups.js';

/** Threat types ThreatFox uses, in words. */
const THREAT_TYPE_WORDS: Record<string, string> = {
  botnet_cc: 'command-and-control (C2) servers',
  payload_delivery: 'payload delivery (where the malware is downloaded from)',
  payload: 'malware samples (payloads)',
  cc_skimming: 'card-skimming collection servers',
};

/**
 * Placeholder family names, by Malpedia id or printable name, such as `Unknown malware` or
 * ThreatFox's `unknown_rat`. Malpedia's `unidentified_NNN` ids are left out because each
 * names one tracked family.
 */
const UNKNOWN_NAME = /^(?:[a-z]+\.)?unknown(?:[\s_]|$)/i;

/** Writes a count with its noun: `1 indicator`, `2 indicators`. */
function countOf(value: number, singular: string, plural = `${singular}s`): string {
  return `${value} ${value === 1 ? singular : plural}`;
}

function day(date: Date | undefined): string {
  return date ? date.toISOString().slice(0, 10) : '-';
}

function timestamp(date: Date | undefined): string {
  return date
    ? date
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d{3}Z$/, ' UTC')
    : '-';
}

function span(indicators: Indicator[]): { first?: Date; last?: Date } {
  let first: Date | undefined;
  let last: Date | undefined;
  const widen = (date: Date | undefined): void => {
    if (!date) return;
    if (!first || date.getTime() < first.getTime()) first = date;
    if (!last || date.getTime() > last.getTime()) last = date;
  };
  for (const indicator of indicators) {
    widen(indicator.firstSeen);
    widen(indicator.lastSeen);
  }
  return { first, last };
}

/** Meaning of a MISP indicator's confidence in the report, because MISP has no confidence field. */
const MISP_CONFIDENCE_TEXT =
  `The numerical value (0 to 100) that the MISP taxonomies give a tag of ${CONFIDENCE_PREDICATES.join(', ')}, ` +
  'taken from the attribute, else its object, else its event (the lowest where one element has several); ' +
  'an indicator without such a tag has no confidence, and the event threat level is not read as one';

function summarySection(pack: Pack): string[] {
  const { family, indicators } = pack;
  const lines = ['## Summary', ''];
  // One pass over the indicators, without a list per field: a pack can hold a million of them.
  const threatTypeSet = new Set<string>();
  const kindCounts = new Map<Indicator['kind'], number>();
  let low = Infinity;
  let high = -Infinity;
  let withConfidence = 0;
  let withFirstSeen = 0;
  let fromMisp = false;
  for (const indicator of indicators) {
    fromMisp ||= indicator.provenance.sourceIds.some((id) => id.startsWith('misp:'));
    if (indicator.threatType !== undefined) threatTypeSet.add(indicator.threatType);
    kindCounts.set(indicator.kind, (kindCounts.get(indicator.kind) ?? 0) + 1);
    if (indicator.firstSeen !== undefined) withFirstSeen++;
    const confidence = indicator.confidence;
    if (confidence === undefined) continue;
    withConfidence++;
    if (confidence < low) low = confidence;
    if (confidence > high) high = confidence;
  }
  const threatTypes = [...threatTypeSet];
  const counts = INDICATOR_KINDS.filter((kind) => kindCounts.has(kind)).map(
    (kind) => `${kindCounts.get(kind)} ${describeKind(kind)}`,
  );
  const { first, last } = span(indicators);

  const aliasText =
    family.aliases.length > 0
      ? ` (also known as ${family.aliases.map(escapeMarkdown).join(', ')})`
      : '';
  const described = threatTypes.map((type) => THREAT_TYPE_WORDS[type] ?? escapeMarkdown(type));
  const kindWords = familyKindWords(family);
  const kindLabel = kindWords.charAt(0).toUpperCase() + kindWords.slice(1);
  // A pack named after a threat group names its kind first, as in "the intrusion set **X**".
  const namedAs = family.kind === undefined ? '' : `the ${kindWords} `;
  const nameText = `**${escapeMarkdown(family.name)}**${aliasText}`;
  // "Unknown malware" and ThreatFox's "Unknown RAT" gather indicators of no named family, which
  // may come from unrelated threats, so the report must not call them one family.
  const placeholder =
    family.kind === undefined && UNKNOWN_NAME.test(family.malpedia ?? family.name);
  const placeholderText = `the feeds name no malware family for these indicators (${nameText} is a placeholder), so they may belong to unrelated threats`;
  if (indicators.length === 0 && placeholder) {
    lines.push(
      `This pack has no hunts because allowlists set aside all its indicators (${countOf(pack.setAside.length, 'indicator')}, ` +
        `listed below with the list entry and the reason), and ${placeholderText}.`,
    );
  } else if (indicators.length === 0) {
    lines.push(
      `The feeds tie ${countOf(pack.setAside.length, 'indicator')} to ${namedAs}${nameText}, ` +
        'and allowlists set every one of them aside (listed below with the list entry and the ' +
        'reason), so this pack has no hunts.',
    );
  } else {
    const tiedTo = placeholder
      ? 'the feeds list as malicious'
      : `the feeds tie to this ${family.kind === undefined ? 'family' : kindWords}`;
    lines.push(
      `This pack hunts for ${namedAs}${nameText} through ` +
        `${countOf(indicators.length, 'indicator')} of compromise: ${described.length > 0 ? described.join('; ') : 'the feeds give no threat type'}. ` +
        `A hit means a device talked to, resolved or stored something ${tiedTo}; ` +
        triageAdvice(indicators.length, withConfidence, withFirstSeen),
    );
    // Free text, and STIX and MISP records without a family, land in "Unknown malware".
    const advice =
      family.name === UNKNOWN_FAMILY_NAME
        ? " To keep one report's indicators apart, build its STIX, MISP or text file on its own " +
          'with `--family NAME`, which names the family of records that name none.'
        : '';
    if (placeholder) lines.push('', `Unlike a family pack, ${placeholderText}.${advice}`);
  }
  lines.push('');
  lines.push(`| Item | Value |`, `|---|---|`);
  lines.push(`| ${kindLabel} | ${escapeMarkdown(family.name)} |`);
  if (family.malpedia) lines.push(`| Malpedia id | ${escapeMarkdown(family.malpedia)} |`);
  if (family.aliases.length > 0)
    lines.push(`| Aliases | ${escapeMarkdown(family.aliases.join(', '))} |`);
  for (const { label, names } of threatGroupNames(indicators, family)) {
    lines.push(`| ${label} | ${escapeMarkdown(shortNameList(names))} |`);
  }
  lines.push(
    `| Threat types | ${threatTypes.length > 0 ? escapeMarkdown(threatTypes.join(', ')) : '-'} |`,
  );
  lines.push(`| Indicators | ${indicators.length} (${counts.join(', ') || 'none'}) |`);
  lines.push(`| Set aside by allowlists | ${pack.setAside.length} |`);
  const compromised = indicators.filter((indicator) => indicator.isCompromised === true).length;
  if (compromised > 0) lines.push(`| Compromised legitimate sites | ${compromised} |`);
  // The latest sighting is the latest first or last seen time: a new indicator is a sighting too.
  lines.push(`| Earliest to latest sighting | ${timestamp(first)} to ${timestamp(last)} |`);
  const range = low <= high ? `${low}% to ${high}%` : '-';
  lines.push(`| Confidence | ${range} |`);
  if (fromMisp) lines.push(`| Confidence of MISP indicators | ${MISP_CONFIDENCE_TEXT} |`);
  const retention = exceedsDefenderRetention(pack.lookback)
    ? ` (Defender advanced hunting keeps ${DEFENDER_RETENTION_DAYS} days of events, so its ` +
      'queries read only those; the Sentinel queries cover the full lookback)'
    : '';
  lines.push(`| Lookback of every hunt | ${formatLookback(pack.lookback)}${retention} |`);
  if (exceedsAnalyticsRulePeriod(pack.lookback)) {
    lines.push(
      `| As analytics rules | A Sentinel scheduled analytics rule reads only its query period, at ` +
        `most ${ANALYTICS_RULE_MAX_DAYS} days, whatever the lookback in the query; run the ` +
        `queries as hunts to cover ${formatLookback(pack.lookback)} |`,
    );
  }
  lines.push(`| Feeds | ${escapeMarkdown(pack.feeds.join(', '))} |`);
  return lines;
}

/**
 * Rows of the indicator and set-aside tables in report.md. A larger pack lists the rest only in
 * indicators.csv and pack.json: a Markdown table of many thousand rows is too large to render
 * or to read.
 */
export const REPORT_TABLE_ROWS = 1_000;

function shownNote(shown: number, total: number, noun: string): string[] {
  if (shown >= total) return [];
  return [
    '',
    `The first ${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} ${noun} are ` +
      'shown; `indicators.csv` lists every one, defanged, and `pack.json` holds them in full.',
  ];
}

/**
 * Returns the summary's advice on triage, which names the indicator context that hits carry:
 * free text and some STIX and MISP files give no confidence or first-seen date.
 */
function triageAdvice(count: number, withConfidence: number, withFirstSeen: number): string {
  const fields: Array<[name: string, given: number]> = [
    ['confidence', withConfidence],
    ['first-seen date', withFirstSeen],
  ];
  const given = fields.filter(([, number]) => number > 0).map(([name]) => name);
  if (given.length === 0) {
    return 'the feeds give no confidence or first-seen date, so triage it on the event and the indicator alone.';
  }
  const notes = fields.map(([name, number]) => {
    if (number === 0) return `the feeds give no ${name}`;
    if (number === count) return undefined;
    return `${number} of ${count} indicators have a ${name}`;
  });
  const note = notes.filter((text) => text !== undefined).join('; ');
  const every = fields.every(([, number]) => number === 0 || number === count);
  const carried = every
    ? 'which every hit carries'
    : 'which each hit carries where the feeds give it';
  return `triage it with the indicator's ${given.join(' and ')}, ${carried}${note ? ` (${note})` : ''}.`;
}

function indicatorSection(pack: Pack): string[] {
  const shown = Math.min(pack.indicators.length, REPORT_TABLE_ROWS);
  const lines = [
    '## Indicators',
    '',
    'Values are defanged: `[.]` stands for a dot and `hxxp` for `http`.',
  ];
  if (pack.indicators.slice(0, shown).some(isIpv6Address)) {
    // Writing `:` for `[:]` leaves the brackets, which no address column holds.
    lines.push(
      'An IPv6 address is written in brackets with `[:]` for each colon: `[2001[:]db8[:][:]1]` ' +
        'is the address 2001:db8::1 and `[2001[:]db8[:][:]1]:443` is that address on port 443.',
    );
  }
  lines.push('');
  lines.push(
    '| Type | Value | Threat Type | First Seen | Last Seen | Confidence |',
    '|---|---|---|---|---|---|',
  );
  for (let index = 0; index < shown; index++) {
    const indicator = pack.indicators[index]!;
    const confidence = indicator.confidence === undefined ? '-' : `${indicator.confidence}%`;
    const threatType =
      indicator.threatType === undefined ? '-' : escapeMarkdown(indicator.threatType);
    lines.push(
      `| ${describeKind(indicator.kind)} | ${markdownCodeSpan(defang(indicator))} | ${threatType} | ` +
        `${day(indicator.firstSeen)} | ${day(indicator.lastSeen)} | ${confidence} |`,
    );
  }
  lines.push(...shownNote(shown, pack.indicators.length, 'indicators'));
  lines.push(...compromisedSection(pack.indicators));
  lines.push(...exactOnlySection(pack.indicators));
  if (pack.setAside.length > 0) {
    lines.push('', '### Set aside', '', 'These indicators are not in any hunt:', '');
    lines.push(...setAsideTable(pack.setAside));
    const shownSetAside = Math.min(pack.setAside.length, REPORT_TABLE_ROWS);
    lines.push(...shownNote(shownSetAside, pack.setAside.length, 'indicators set aside'));
  }
  return lines;
}

/**
 * Renders the table of indicators set aside by allowlists, with each value and list entry
 * defanged. Only the first {@link REPORT_TABLE_ROWS} get a row, so the caller says where the
 * rest are listed.
 */
export function setAsideTable(setAside: readonly SetAsideIndicator[]): string[] {
  const lines = ['| Type | Value | List | Entry | Reason |', '|---|---|---|---|---|'];
  const shown = Math.min(setAside.length, REPORT_TABLE_ROWS);
  for (let index = 0; index < shown; index++) {
    const item = setAside[index]!;
    lines.push(
      `| ${describeKind(item.indicator.kind)} | ${markdownCodeSpan(defang(item.indicator))} | ${escapeMarkdown(listLabel(item))} | ` +
        `${markdownCodeSpan(defangEntry(item.entry))} | ${escapeMarkdown(defangReason(item.indicator, item.entry, item.reason))} |`,
    );
  }
  return lines;
}

/**
 * Lists the indicators that the feeds mark as compromised legitimate sites (ThreatFox
 * `is_compromised`), whose hits may be ordinary visits rather than contact with attackers.
 */
function compromisedSection(indicators: readonly Indicator[]): string[] {
  const compromised = indicators.filter((indicator) => indicator.isCompromised === true);
  if (compromised.length === 0) return [];
  const lines = [
    '',
    '### Compromised legitimate sites',
    '',
    `The feeds mark ${compromised.length} of these indicators as legitimate sites that attackers ` +
      'compromised. A hunt on such a domain or address matches every visit to the site, so a hit ' +
      'may be an ordinary visit: check whether it falls in the time the site served malware, and ' +
      'what the device fetched or ran afterwards.',
    '',
    '| Type | Value | First Seen |',
    '|---|---|---|',
  ];
  const shown = Math.min(compromised.length, REPORT_TABLE_ROWS);
  for (let index = 0; index < shown; index++) {
    const indicator = compromised[index]!;
    lines.push(
      `| ${describeKind(indicator.kind)} | ${markdownCodeSpan(defang(indicator))} | ${day(indicator.firstSeen)} |`,
    );
  }
  lines.push(...shownNote(shown, compromised.length, 'compromised sites'));
  return lines;
}

/**
 * Lists the indicators that an allowlist lets hunts use only on their exact value: an ip:port on
 * a rented hosting address has no address-only hunt, and a URL on a shared host is matched whole.
 */
function exactOnlySection(indicators: readonly Indicator[]): string[] {
  const narrowed = indicators.filter((indicator) => indicator.exactOnly !== undefined);
  if (narrowed.length === 0) return [];
  const lines = [
    '',
    '### Hunted on the exact value only',
    '',
    `${countOf(narrowed.length, 'indicator')} ${narrowed.length === 1 ? 'is' : 'are'} hunted only ` +
      'on the exact value: an ip:port on its port (no address-only hunt), and a URL as the whole ' +
      'URL or, when its host is an address, on that address and port (no hunt on its host or on ' +
      'the address alone; none on the address and port either on a CDN edge, as its reason ' +
      'says), because an allowlist entry says a wider hunt would flood:',
    '',
    '| Type | Value | List | Entry | Reason |',
    '|---|---|---|---|---|',
  ];
  const shown = Math.min(narrowed.length, REPORT_TABLE_ROWS);
  for (let index = 0; index < shown; index++) {
    const indicator = narrowed[index]!;
    const { list, entry, reason } = indicator.exactOnly!;
    const safeEntry = defangEntry(entry);
    const safeReason = defangReason(indicator, entry, reason);
    lines.push(
      `| ${describeKind(indicator.kind)} | ${markdownCodeSpan(defang(indicator))} | ${escapeMarkdown(list)} | ` +
        `${markdownCodeSpan(safeEntry)} | ${escapeMarkdown(safeReason)} |`,
    );
  }
  lines.push(...shownNote(shown, narrowed.length, 'indicators hunted on the exact value only'));
  return lines;
}

/** Returns true for an ip or ip:port indicator whose address is IPv6. */
function isIpv6Address(indicator: Indicator): boolean {
  return (
    (indicator.kind === 'ip' || indicator.kind === 'ip-port') && indicator.addressFamily === 'ipv6'
  );
}

/** Names an allowlist with its version, as the report and indicators.csv show it. */
export function listLabel(item: Pack['setAside'][number]): string {
  return item.listVersion === undefined ? item.list : `${item.list} (version ${item.listVersion})`;
}

/** Writes an indicator key (`kind|value`) with its dots defanged, so that no listed value is clickable. */
function keyLabel(key: string): string {
  const [kind, ...rest] = key.split('|');
  const value = rest.join('|');
  // Written as everywhere else in the report, such as `ip:port`, and defanged as the indicator
  // tables defang the value: a URL's host only, an IPv6 address's colons too.
  const known = INDICATOR_KINDS.find((name) => name === kind);
  const kindText = known === undefined ? kind : describeKind(known);
  const parsed =
    known === undefined
      ? undefined
      : normalizeIndicator({ type: known, value, context: {}, source: {} });
  const shown =
    parsed && 'indicator' in parsed
      ? defang(parsed.indicator)
      : defangDots(value).replace(/^http/i, 'hxxp');
  return `${kindText}: ${shown}`;
}

function changesSection(pack: Pack): string[] {
  const changes = pack.changes;
  if (!changes) return [];
  const lines = ['## Changes since earlier runs', ''];
  const changed = changes.changed;
  const counted =
    `${changes.new.length} new, ${changes.unchanged.length} unchanged, ` +
    `${changed.length} changed, ${changes.expired.length} expired`;
  if (changes.removalsUnknown === undefined) {
    lines.push(`${counted}, ${changes.removed.length} removed from the feeds.`);
  } else {
    lines.push(
      `${counted}. Removals are not listed, because these inputs may be incomplete: ` +
        `${escapeMarkdown(changes.removalsUnknown)}.`,
    );
  }
  const groups: Array<[string, string[]]> = [
    ['New', changes.new.map((key) => escapeMarkdown(keyLabel(key)))],
    [
      'Changed confidence or threat type',
      changed.map((change) => `${escapeMarkdown(keyLabel(change.key))} (${changeText(change)})`),
    ],
    ['Expired', changes.expired.map((key) => escapeMarkdown(keyLabel(key)))],
    ['Removed from the feeds', changes.removed.map((key) => escapeMarkdown(keyLabel(key)))],
  ];
  for (const [title, keys] of groups) {
    if (keys.length === 0) continue;
    lines.push('', `### ${title}`, '');
    const shown = Math.min(keys.length, REPORT_TABLE_ROWS);
    for (let index = 0; index < shown; index++) {
      lines.push(`- ${keys[index]!}`);
    }
    if (shown < keys.length) {
      lines.push(
        '',
        `The first ${shown.toLocaleString('en-US')} of ${keys.length.toLocaleString('en-US')} are ` +
          'shown; `pack.json` lists every one under `changes`.',
      );
    }
  }
  return lines;
}

/** Describes a change of confidence or threat type, as `confidence 100 to 50`. */
function changeText(change: HistoryChange): string {
  const parts: string[] = [];
  const text = (value: string | number | null): string =>
    value === null ? 'none' : escapeMarkdown(String(value));
  if (change.confidence) {
    parts.push(`confidence ${text(change.confidence[0])} to ${text(change.confidence[1])}`);
  }
  if (change.threatType) {
    parts.push(`threat type ${text(change.threatType[0])} to ${text(change.threatType[1])}`);
  }
  return parts.join(', ');
}

function huntSection(pack: Pack): string[] {
  const lines = ['## Hunts', ''];
  const split = pack.queries.filter((query) => query.hunt.part);
  lines.push(
    `${countOf(pack.queries.length, 'query', 'queries')}, each checked with Microsoft's Kusto parser against the table ` +
      `schema. Port-aware hunts match an ip:port indicator only on its port; address-only hunts ` +
      `are labelled as such and catch the same hosts on other ports.`,
  );
  if (split.length > 0) {
    lines.push(
      '',
      `Split into numbered parts to stay under Sentinel's 10,000-character query limit: ` +
        [...new Set(split.map((query) => query.hunt.id.replace(/-part\d+$/, '')))].join(', ') +
        '. Run every part.',
    );
  }
  if (pack.watchlists.length > 0) {
    lines.push('', '### Watchlists', '');
    lines.push(
      'These indicator lists are too long to inline, or hold an indicator too long for any ' +
        'query, so their hunts read a Microsoft Sentinel ' +
        'watchlist. Upload each CSV file as a watchlist with the alias and SearchKey shown before ' +
        'running the hunts; files over 3.8 MB must be uploaded through Azure Storage.',
      ...(pack.onlyNew
        ? [
            '',
            'This pack hunts only the indicators new since the last run, so each list has an ' +
              'alias of its own, ending in a digest of its content. Upload it beside the lists ' +
              'of earlier packs: their rules still read those, and uploading under their alias ' +
              'would replace the lists they match.',
          ]
        : []),
      '',
      '| Alias | File | SearchKey | Indicators | Hunts |',
      '|---|---|---|---|---|',
    );
    for (const watchlist of pack.watchlists) {
      lines.push(
        `| ${watchlist.alias} | \`${watchlist.file}\` | ${watchlist.searchKey} | ${watchlist.rows} | ` +
          `${watchlist.huntIds.length} |`,
      );
    }
    const read = pack.watchlists.filter((watchlist) => watchlist.url !== undefined);
    if (read.length > 0) {
      lines.push(
        '',
        'Defender advanced hunting has no watchlists, so its hunts read these files with ' +
          '`externaldata` from the URLs below, which `--list-url` gave. Upload each file there ' +
          'as well; `externaldata` reads files of up to 100 MB.',
        '',
      );
      for (const watchlist of read) lines.push(`- \`${watchlist.file}\`: <${watchlist.url}>`);
    }
  }
  if (pack.skippedHunts.length > 0) {
    lines.push('', '### Hunts without a query', '');
    for (const skipped of pack.skippedHunts) {
      lines.push(`- \`${skipped.huntId}\`: ${skipped.reason}`);
    }
  }
  lines.push(...omittedSection(pack));
  for (const { hunt, query, file } of pack.queries) {
    lines.push(
      '',
      `### ${escapeMarkdown(hunt.title)}${hunt.part ? ` (part ${hunt.part.index} of ${hunt.part.count})` : ''}`,
      '',
    );
    lines.push(`- Id: \`${hunt.id}\`, file \`${file}\``);
    lines.push(
      `- Table: ${hunt.source.table} in ${hunt.source.platform === 'sentinel' ? 'Microsoft Sentinel' : 'Defender XDR advanced hunting'}`,
    );
    lines.push(
      `- Indicator values: ${hunt.iocs.rows.length}; lookback ${formatLookback(hunt.lookback)}`,
    );
    lines.push(`- ${hunt.description}`);
    lines.push('', '```kql', query.trimEnd(), '```');
  }
  return lines;
}

/** Characters of an over-long indicator value that the report shows. */
const OMITTED_VALUE_SHOWN = 200;

/** Lists the indicators left out of the queries because no query can hold them. */
function omittedSection(pack: Pack): string[] {
  const omitted = pack.omittedIndicators ?? [];
  if (omitted.length === 0) return [];
  const limit = SENTINEL_QUERY_LIMIT.toLocaleString('en-US');
  const lines = [
    '',
    '### Indicators too long for a query',
    '',
    `A query holding only one of these indicators would be longer than ${limit} characters, ` +
      'the limit of a Sentinel analytics rule, so the hunts named here leave them out. ' +
      'Search for them another way if they matter.',
    '',
    `| Value (defanged, first ${OMITTED_VALUE_SHOWN} characters) | Characters | Hunts |`,
    '|---|---|---|',
  ];
  const byValue = new Map(omitted.map((entry) => [entry.value, entry]));
  const shown = new Map<string, string>();
  for (const indicator of pack.indicators) {
    if (byValue.has(indicator.value)) shown.set(indicator.value, defang(indicator));
  }
  for (const entry of omitted) {
    const text = (shown.get(entry.value) ?? entry.value).slice(0, OMITTED_VALUE_SHOWN);
    const hunts = entry.huntIds.map((id) => `\`${id}\``).join(', ');
    lines.push(`| ${markdownCodeSpan(text)} | ${entry.characters} | ${hunts} |`);
  }
  return lines;
}

function dataSourceSection(pack: Pack): string[] {
  const lines = [
    '## Data sources',
    '',
    '| Table | Platform | Product | Data connector | Hunts |',
    '|---|---|---|---|---|',
  ];
  for (const source of pack.dataSources) {
    const count = pack.queries.filter((query) => query.hunt.source.id === source.id).length;
    if (count === 0) continue;
    const platform = source.platform === 'sentinel' ? 'Microsoft Sentinel' : 'Defender XDR';
    lines.push(
      `| ${source.table} | ${platform} | ${escapeMarkdown(source.product)} | ${escapeMarkdown(source.connector)} | ${count} |`,
    );
  }
  return lines;
}

function scenarioSection(pack: Pack): string[] {
  const lines = ['## False-positive scenarios', ''];
  if (pack.scenarios.length === 0) return [...lines, 'No scenario applies to these hunts.'];
  lines.push(
    'Each exclusion removes the hits for which its condition is true. Those marked "on" are ' +
      'compiled into the hunts already; the others are ready to paste after the lookup.',
  );
  for (const { scenario, huntIds, enabled } of pack.scenarios) {
    lines.push('', `### ${scenario.title} (${enabled ? 'on' : 'off, ready to paste'})`, '');
    lines.push(scenario.description, '');
    // A fragment, not a whole query, so it is not fenced as kql: `huntpack check` reads those.
    lines.push('```text', `| where not(${compileKqlFilter(scenario.filter)})`, '```', '');
    lines.push(`Applies to: ${huntIds.map((id) => `\`${id}\``).join(', ')}`);
  }
  return lines;
}

/** Renders the pack's report. */
export function renderReport(pack: Pack): string {
  const sections = [
    [
      `# ${escapeMarkdown(pack.family.name)} detection pack`,
      '',
      `Generated by huntpack ${pack.generatorVersion}.`,
    ],
    summarySection(pack),
    indicatorSection(pack),
    changesSection(pack),
    huntSection(pack),
    dataSourceSection(pack),
    scenarioSection(pack),
  ];
  return (
    sections
      .filter((lines) => lines.length > 0)
      .map((lines) => lines.join('\n'))
      .join('\n\n') + '\n'
  );
}
