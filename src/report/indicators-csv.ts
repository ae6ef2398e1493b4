/**
 * indicators.csv: every indicator of a pack, defanged, with the ones set aside and why, for
 * analysts who share or filter the list in a spreadsheet.
 */
import { defang } from '../indicators/defang.js';
import { describeKind, type Indicator } from '../indicators/model.js';
import { quoteSpreadsheetField } from './csv-field.js';
import { isoTime } from './iso-time.js';
import { listLabel } from './markdown.js';
import type { Pack } from './pack-model.js';
import type { TextFileWriter } from './text-file-writer.js';

const HEADER = [
  'Type',
  'Value',
  'Threat Type',
  'First Seen',
  'Last Seen',
  'Confidence',
  'Tags',
  'References',
  'Reporters',
  'Source Ids',
  'Status',
  'List',
  'Entry',
  'Reason',
];

function timeText(date: Date | undefined): string {
  return date ? isoTime(date) : '';
}

function row(indicator: Indicator, status: string, reasons: string[]): string {
  const fields = [
    describeKind(indicator.kind),
    defang(indicator),
    indicator.threatType ?? '',
    timeText(indicator.firstSeen),
    timeText(indicator.lastSeen),
    indicator.confidence === undefined ? '' : String(indicator.confidence),
    indicator.tags.join(', '),
    indicator.references.join(' '),
    indicator.reporters.join(', '),
    indicator.sourceIds.join(' '),
    status,
    ...reasons,
  ];
  return fields.map(quoteSpreadsheetField).join(',') + '\r\n';
}

/**
 * Writes the pack's indicators, then those set aside, one per row with CRLF line ends. Tags and
 * reporters are joined with `, `, references and source ids (such as `threatfox:1784524`) with a
 * space. Status is `hunted` or `set aside`; List, Entry and Reason are filled for the latter.
 */
export function writeIndicatorsCsv(pack: Pack, out: Pick<TextFileWriter, 'write'>): void {
  out.write(HEADER.join(',') + '\r\n');
  for (const indicator of pack.indicators) out.write(row(indicator, 'hunted', ['', '', '']));
  for (const item of pack.setAside) {
    out.write(row(item.indicator, 'set aside', [listLabel(item), item.entry, item.reason]));
  }
}
