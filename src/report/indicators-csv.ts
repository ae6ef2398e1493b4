/**
 * indicators.csv: every indicator of a pack, defanged, with the ones set aside and why, for
 * analysts who share or filter the list in a spreadsheet.
 */
import { defang } from '../indicators/defang.js';
import { describeKind, type Indicator, type IndicatorKind } from '../indicators/model.js';
import { quoteSpreadsheetField } from './csv-field.js';
import { isoTime } from './iso-time.js';
import { ListTextCache, ValueTextCache } from './list-text-cache.js';
import { listLabel } from './markdown.js';
import type { Pack } from './pack-model.js';
import type { TextFileWriter } from './text-file-writer.js';
import { RecordProvenance, type Provenance } from '../indicators/provenance.js';
import { defangEntry, defangReason } from './list-entry.js';

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

// Fields that few distinct values fill (kinds, threat types, confidences) are quoted once each.
const kindField = new ValueTextCache((kind: IndicatorKind) =>
  quoteSpreadsheetField(describeKind(kind)),
);
const threatTypeField = new ValueTextCache((threatType: string | undefined) =>
  quoteSpreadsheetField(threatType ?? ''),
);
const confidenceField = new ValueTextCache((confidence: number | undefined) =>
  quoteSpreadsheetField(confidence === undefined ? '' : String(confidence)),
);
const EMPTY_FIELD = quoteSpreadsheetField('');

function timeField(date: Date | undefined): string {
  return date ? quoteSpreadsheetField(isoTime(date)) : EMPTY_FIELD;
}

const tagsField = new ListTextCache((tags) => quoteSpreadsheetField(tags.join(', ')));
const referencesField = new ListTextCache((references) =>
  quoteSpreadsheetField(references.join(' ')),
);
const reportersField = new ListTextCache((reporters) =>
  quoteSpreadsheetField(reporters.join(', ')),
);

function sourceIdsField(provenance: Provenance): string {
  if (provenance instanceof RecordProvenance) {
    return quoteSpreadsheetField(provenance.sourceId ?? '');
  }
  const { sourceIds } = provenance;
  return quoteSpreadsheetField(sourceIds.length === 1 ? sourceIds[0]! : sourceIds.join(' '));
}

/** Returns the fields from Type to Source Ids of an indicator's row, quoted, without a line end. */
function indicatorFields(indicator: Indicator): string {
  // One template in place of an array of fields: a pack can hold a million indicators.
  return `${kindField.get(indicator.kind)},${quoteSpreadsheetField(defang(indicator))},${threatTypeField.get(indicator.threatType)},${timeField(indicator.firstSeen)},${timeField(indicator.lastSeen)},${confidenceField.get(indicator.confidence)},${tagsField.get(indicator.tags)},${referencesField.get(indicator.references)},${reportersField.get(indicator.reporters)},${sourceIdsField(indicator.provenance)}`;
}

function row(indicator: Indicator, status: string, reasons: string[]): string {
  return [indicatorFields(indicator), ...[status, ...reasons].map(quoteSpreadsheetField)].join(',');
}

/** The Status, List, Entry and Reason fields of a hunted indicator's row, with the line end. */
const HUNTED_ROW_END = `,${['hunted', '', '', ''].map(quoteSpreadsheetField).join(',')}\r\n`;

/**
 * Writes the pack's indicators, then those set aside, one per row with CRLF line ends. The list
 * entry, and the host and entry where the reason names them, are defanged like the values. Tags and
 * reporters are joined with `, `, references and source ids (such as `threatfox:1784524`) with a
 * space. Status is `hunted`, `hunted, exact value only` or `set aside`; List, Entry and Reason
 * are filled for the latter two.
 */
export function writeIndicatorsCsv(pack: Pack, out: Pick<TextFileWriter, 'write'>): void {
  out.write(HEADER.join(',') + '\r\n');
  for (const indicator of pack.indicators) {
    const narrowed = indicator.exactOnly;
    if (narrowed === undefined) out.write(indicatorFields(indicator) + HUNTED_ROW_END);
    else {
      const reason = defangReason(indicator, narrowed.entry, narrowed.reason);
      const reasons = [narrowed.list, defangEntry(narrowed.entry), reason];
      out.write(row(indicator, 'hunted, exact value only', reasons) + '\r\n');
    }
  }
  for (const item of pack.setAside) {
    const reason = defangReason(item.indicator, item.entry, item.reason);
    out.write(
      row(item.indicator, 'set aside', [listLabel(item), defangEntry(item.entry), reason]) + '\r\n',
    );
  }
}
