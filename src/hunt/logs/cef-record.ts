/**
 * Turns a CEF line into a CommonSecurityLog event, the way Sentinel's CEF connector maps it.
 * A line may also be a JSON object whose `message` field contains the CEF text, which is how
 * messages with line breaks inside them are stored one per line.
 *
 * With an event filter in the context, a line is first mapped onto the filter's columns only.
 * Every typed value is still converted and every warning found, but string values that no one
 * reads are never cut out of the line. Only an event that the filter keeps is mapped in full.
 */
import { quoteValue } from '../../errors.js';
import { ADDRESS_COLUMNS, isPlainAddress } from './address.js';
import { CefKeyTable, CefLineScan } from './cef.js';
import type { ColumnValue } from './event.js';
import { getLogTableColumns } from './event.js';
import { CEF_KEY_COLUMNS, CEF_WIDE_NUMBER_COLUMNS } from './cef-fields.js';
import {
  parseEpochOfAnyUnit,
  parseLogTime,
  parseTimeZone,
  type TimeDefaults,
  type TimeResult,
} from './log-time.js';
import {
  ColumnBuilder,
  rejectRecord,
  skipRecord,
  type EventFilter,
  type RecordContext,
  type RecordOutcome,
} from './record.js';
import { parseSyslogHeader } from './syslog-header.js';

const TABLE = 'CommonSecurityLog';

/** Storage rule of a mapped key's value. */
const enum KeyKind {
  /** A string column: the parser has already unescaped and trimmed the value. */
  String,
  ExternalId,
  CustomNumber,
  /** Converted to the column's type, with a warning when it does not fit. */
  Typed,
  /** An address column, read as `ColumnBuilder.set` reads it, with a warning for a non-address. */
  Address,
}

const KEYS = [...CEF_KEY_COLUMNS.keys()];
const KEY_TABLE = new CefKeyTable(KEYS);
const KEY_COLUMNS = KEYS.map((key) => CEF_KEY_COLUMNS.get(key)!);
const KEY_KINDS = KEYS.map((key, id): KeyKind => {
  if (key === 'externalId') return KeyKind.ExternalId;
  if (CEF_WIDE_NUMBER_COLUMNS.has(key)) return KeyKind.CustomNumber;
  if (ADDRESS_COLUMNS[TABLE].has(KEY_COLUMNS[id]!)) return KeyKind.Address;
  return getLogTableColumns(TABLE).get(KEY_COLUMNS[id]!) === 'string'
    ? KeyKind.String
    : KeyKind.Typed;
});
const RT = KEYS.indexOf('rt');
const DTZ = KEYS.indexOf('dtz');

/**
 * Per key id, the longest run of digits (optionally with leading and trailing whitespace) that
 * its conversion takes without a warning, or 0 when such a check is not enough. Up to 9 digits
 * fit an int and 15 a long or real; epoch times of 9 to 15 digits are always valid.
 */
const QUICK_MAX_DIGITS = KEYS.map((_, id) => {
  if (id === RT) return 15;
  const kind = KEY_KINDS[id]!;
  if (kind === KeyKind.CustomNumber) return 15;
  if (kind !== KeyKind.Typed) return 0;
  const type = getLogTableColumns(TABLE).get(KEY_COLUMNS[id]!);
  if (type === 'int') return KEY_COLUMNS[id]!.endsWith('Port') ? 5 : 9;
  if (type === 'long' || type === 'real' || type === 'datetime') return 15;
  return 0;
});
/** Per key id, the fewest digits its quick check takes: 9 for epoch times, else 1. */
const QUICK_MIN_DIGITS = KEYS.map((_, id) =>
  id === RT || getLogTableColumns(TABLE).get(KEY_COLUMNS[id]!) === 'datetime' ? 9 : 1,
);
/** Per key id, 1 for a port, whose value must also be at most 65535. */
const QUICK_PORT = KEYS.map((_, id) =>
  KEY_KINDS[id] === KeyKind.Typed && KEY_COLUMNS[id]!.endsWith('Port') ? 1 : 0,
);

const HEADER_COLUMNS = [
  'DeviceVendor',
  'DeviceProduct',
  'DeviceVersion',
  'DeviceEventClassID',
  'Activity',
  'LogSeverity',
];

const scan = new CefLineScan();
/** Key id of each pair of the scanned line, reused from line to line. */
let pairIds = new Int32Array(64);

/**
 * What a mapping reads: with `wanted`, the string columns outside it are skipped, and `keys`
 * finds only the keys whose value is read, so the others cost one empty hash slot.
 */
interface MappingPlan {
  wanted: ReadonlySet<string> | undefined;
  keys: CefKeyTable;
  /** Per key id: 1 when the value is stored or converted. */
  read: Uint8Array;
  header: boolean[];
  additional: boolean;
  computer: boolean;
  /** True when {@link quickFilter} can decide lines, because the filter reads only string key columns. */
  quick: boolean;
}

function mappingPlan(wanted: ReadonlySet<string> | undefined): MappingPlan {
  const want = (column: string): boolean => wanted === undefined || wanted.has(column);
  const read = new Uint8Array(KEYS.length);
  KEYS.forEach((_, id) => {
    const stored = KEY_KINDS[id] !== KeyKind.String || want(KEY_COLUMNS[id]!);
    read[id] = stored || id === RT || id === DTZ ? 1 : 0;
  });
  const additional = want('AdditionalExtensions');
  // Unmapped keys must be distinguished from skipped ones when AdditionalExtensions is built.
  const keys = additional ? KEY_TABLE : new CefKeyTable(KEYS, (id) => read[id] === 1);
  const header = HEADER_COLUMNS.map(want);
  const computer = want('Computer');
  // Port columns count too: URL keys read the port, and the quick check reads a port's digits.
  const keyColumns = new Set(
    KEY_COLUMNS.filter(
      (_, id) =>
        KEY_KINDS[id] === KeyKind.String ||
        KEY_KINDS[id] === KeyKind.Address ||
        QUICK_PORT[id] === 1,
    ),
  );
  const quick =
    wanted !== undefined &&
    !additional &&
    !computer &&
    !header.includes(true) &&
    [...wanted].every(
      (column) =>
        keyColumns.has(column) && column !== KEY_COLUMNS[RT] && column !== KEY_COLUMNS[DTZ],
    );
  return { wanted, keys, read, header, additional, computer, quick };
}

const FULL_MAPPING = mappingPlan(undefined);

/** Mapping plans of the filters seen so far. */
const filterPlans = new WeakMap<EventFilter, MappingPlan>();

/** Parses one CEF line (plain or JSON-wrapped) into an outcome. */
export function parseCefRecord(line: string, context: RecordContext): RecordOutcome {
  let text = line;
  let first = 0;
  while (first < text.length && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9)) {
    first++;
  }
  if (first === text.length) return skipRecord('BLANK_LINE');
  if (text.charCodeAt(first) === 123) {
    const unwrapped = unwrapJsonMessage(text);
    if (typeof unwrapped !== 'string') return unwrapped;
    text = unwrapped;
  }
  const error = scan.scan(text);
  if (error) return rejectRecord(error.code, error.message);
  if (!context.filter) {
    return { kind: 'event', table: TABLE, columns: mapColumns(context, FULL_MAPPING) };
  }
  return filterEvent(context, context.filter);
}

/** Warnings of the line being filtered, held back until the filter has decided. */
const heldWarnings: string[] = [];
const holdingContext: RecordContext = {
  file: '',
  line: 0,
  time: {},
  warn(code, message) {
    heldWarnings.push(code, message);
  },
};

/**
 * Maps the scanned line onto the filter's columns alone, with warnings held back. An event the
 * filter keeps is mapped again in full, which reports the warnings; a dropped one reports the
 * held-back warnings and is counted.
 */
function filterEvent(context: RecordContext, filter: EventFilter): RecordOutcome {
  let plan = filterPlans.get(filter);
  if (!plan) filterPlans.set(filter, (plan = mappingPlan(new Set(filter.columns(TABLE) ?? []))));
  const quick = quickFilter(filter, plan);
  if (quick === false) return FILTERED;
  if (quick === true) {
    return { kind: 'event', table: TABLE, columns: mapColumns(context, FULL_MAPPING) };
  }
  heldWarnings.length = 0;
  holdingContext.file = context.file;
  holdingContext.line = context.line;
  holdingContext.time = context.time;
  const probe = mapColumns(holdingContext, plan);
  if (filter.keeps(TABLE, probe)) {
    return { kind: 'event', table: TABLE, columns: mapColumns(context, FULL_MAPPING) };
  }
  for (let i = 0; i < heldWarnings.length; i += 2) {
    context.warn(heldWarnings[i]!, heldWarnings[i + 1]!);
  }
  return { kind: 'filtered', table: TABLE };
}

const FILTERED: RecordOutcome = { kind: 'filtered', table: TABLE };

/**
 * Decides the filter on the scanned line alone when the line can raise no warning: it has no
 * stray text, no `dtz`, a valid epoch `rt`, and every typed value is a short run of digits. The
 * filter's string columns are the only values cut out of the line. Returns undefined when the
 * line needs the full mapping to find its warnings, so the outcome is the same as without
 * this check.
 */
function quickFilter(filter: EventFilter, plan: MappingPlan): boolean | undefined {
  if (!plan.quick || scan.strayText.length > 0) return undefined;
  const text = scan.text;
  const columns: Record<string, ColumnValue> = {};
  let hasTime = false;
  for (let i = 0; i < scan.pairCount; i++) {
    const id = plan.keys.find(scan, i);
    if (id < 0) continue;
    const kind = KEY_KINDS[id]!;
    if (kind === KeyKind.ExternalId) continue;
    if (id === DTZ) return undefined;
    if (kind === KeyKind.String && id !== RT) {
      const value = scan.value(i);
      if (value !== '') columns[KEY_COLUMNS[id]!] = value;
      continue;
    }
    if (kind === KeyKind.Address) {
      // Only a plain address is stored as written, because other text needs the full mapping.
      const value = scan.value(i);
      if (value === '' || value === '-') continue;
      if (!isPlainAddress(value)) return undefined;
      columns[KEY_COLUMNS[id]!] = value;
      continue;
    }
    const start = scan.equalsAt[i]! + 1;
    if (start <= scan.lastBackslash) return undefined;
    const end = i + 1 < scan.pairCount ? scan.keyStarts[i + 1]! : text.length;
    const digits = digitRun(text, start, end, QUICK_MAX_DIGITS[id]!, QUICK_PORT[id] === 1);
    if (digits < 0 || (digits > 0 && digits < QUICK_MIN_DIGITS[id]!)) return undefined;
    // A port of digits alone converts to the number that they spell, without a warning.
    if (digits > 0 && QUICK_PORT[id] === 1) columns[KEY_COLUMNS[id]!] = digitRunValue;
    if (id === RT) {
      if (digits === 0) return undefined;
      hasTime = true;
    }
  }
  // Without a valid rt the time comes from the syslog header, which the full mapping reads.
  if (!hasTime) return undefined;
  return filter.keeps(TABLE, columns);
}

/**
 * Counts the digits of `text[start, end)` when it is optional whitespace, at most `maxDigits`
 * digits (for a port, a value of at most 65535) and optional whitespace. Returns -1 for any
 * other text, so 0 means whitespace alone.
 */
function digitRun(
  text: string,
  start: number,
  end: number,
  maxDigits: number,
  port: boolean,
): number {
  let i = start;
  while (i < end && isAsciiSpace(text.charCodeAt(i))) i++;
  let digits = 0;
  let value = 0;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) break;
    value = value * 10 + (code - 48);
    digits++;
  }
  while (i < end && isAsciiSpace(text.charCodeAt(i))) i++;
  if (i < end || digits > maxDigits || (port && value > 65535)) return -1;
  digitRunValue = value;
  return digits;
}

/** The number that the digits of the last {@link digitRun} that returned 0 or more spell. */
let digitRunValue = 0;

/** Space, tab, line feed, vertical tab, form feed and carriage return, which trim() removes. */
function isAsciiSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

function unwrapJsonMessage(text: string): string | RecordOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return rejectRecord('INVALID_JSON', `Invalid JSON line: ${(error as Error).message}.`);
  }
  const message = (value as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') {
    return rejectRecord(
      'MISSING_CEF_MESSAGE',
      'JSON line has no string "message" field: expected {"message": "CEF:0|..."}.',
    );
  }
  return message;
}

/**
 * Maps the scanned line onto CommonSecurityLog columns. A plan with `wanted` leaves the other
 * string columns out, but typed values are still converted, with the same warnings in the same
 * order.
 */
function mapColumns(context: RecordContext, plan: MappingPlan): Record<string, ColumnValue> {
  const builder = new ColumnBuilder(TABLE, context);
  for (let index = 0; index < scan.header.length; index++) {
    if (plan.header[index]) builder.set(HEADER_COLUMNS[index]!, scan.header[index]);
  }

  if (pairIds.length < scan.pairCount) pairIds = new Int32Array(scan.pairCount * 2);
  const ids = pairIds;
  let receiptTime: string | undefined;
  let deviceZone: string | undefined;
  for (let i = 0; i < scan.pairCount; i++) {
    const id = plan.keys.find(scan, i);
    ids[i] = id;
    if (id !== RT && id !== DTZ) continue;
    const value = scan.value(i);
    if (value === '') continue;
    if (id === RT) receiptTime = value;
    else deviceZone = value;
  }
  const deviceTime = deviceTimeDefaults(deviceZone, context);

  let additional = '';
  for (let i = 0; i < scan.pairCount; i++) {
    const id = ids[i]!;
    if (id < 0) {
      if (!plan.additional) continue;
      const value = scan.value(i);
      if (value === '') continue;
      // Unmapped keys go to AdditionalExtensions as Sentinel fills it: `key=value;key=value`.
      additional += `${additional === '' ? '' : ';'}${scan.key(i)}=${value}`;
      continue;
    }
    if (plan.read[id] === 0) continue;
    const column = KEY_COLUMNS[id]!;
    const kind = KEY_KINDS[id]!;
    if (kind === KeyKind.String && plan.wanted !== undefined && !plan.wanted.has(column)) continue;
    const value = scan.value(i);
    if (value === '') continue;
    if (kind === KeyKind.String) builder.columns[column] = value;
    else if (kind === KeyKind.ExternalId) setExternalId(builder, value);
    else if (kind === KeyKind.CustomNumber) setCustomNumber(builder, KEYS[id]!, column, value);
    else builder.set(column, value, deviceTime);
  }
  if (additional !== '') builder.set('AdditionalExtensions', additional);
  for (const stray of scan.strayText) {
    context.warn(
      'INVALID_CEF_EXTENSION',
      `CEF extension text ${quoteValue(stray)} is not a key=value pair and was ignored.`,
    );
  }

  // The syslog header is read only when its host is stored or its time may be needed.
  let time = receiptTime === undefined ? undefined : parseReceiptTime(receiptTime, deviceTime);
  if (plan.computer || time === undefined) {
    const prefix = scan.text.slice(0, scan.cefStart);
    const header = prefix.trim() === '' ? undefined : parseSyslogHeader(prefix);
    if (header?.host && plan.computer) builder.set('Computer', header.host);
    if (time === undefined) {
      const sources: TimeSource[] = [];
      if (receiptTime !== undefined) {
        sources.push({ label: 'rt', parse: () => parseLogTime(receiptTime, deviceTime) });
      }
      const fortinetTime = findFortinetEventTime();
      if (fortinetTime) {
        const { key, value } = fortinetTime;
        sources.push({ label: key, parse: () => parseEpochOfAnyUnit(value) });
      }
      const headerTime = header?.timeText;
      if (headerTime !== undefined) {
        sources.push({
          label: 'syslog header time',
          parse: () => parseLogTime(headerTime, context.time),
        });
      }
      time = resolveEventTime(sources, context);
    }
  }
  if (time) builder.setTime(time);
  return builder.columns;
}

/** Returns the time of a valid `rt`, else undefined, leaving the warning to resolveEventTime. */
function parseReceiptTime(receiptTime: string, deviceTime: TimeDefaults): Date | undefined {
  const result = parseLogTime(receiptTime, deviceTime);
  return result.ok ? result.date : undefined;
}

/**
 * `externalId` is often not a 32-bit number (UUIDs, 64-bit ids), so its text always goes to the
 * string column ExtID, and to the int column ExternalID only when it fits there.
 */
function setExternalId(builder: ColumnBuilder, value: string): void {
  builder.set('ExtID', value);
  if (/^-?\d{1,10}$/.test(value) && Math.abs(Number(value)) <= 2147483647) {
    builder.columns.ExternalID = Number(value);
  }
}

/**
 * `cnN` goes to the 64-bit `FieldDeviceCustomNumberN`, and also to the 32-bit
 * `DeviceCustomNumberN` when it fits there.
 */
function setCustomNumber(builder: ColumnBuilder, key: string, column: string, value: string) {
  const wideColumn = CEF_WIDE_NUMBER_COLUMNS.get(key) ?? column;
  if (!builder.set(wideColumn, value)) return;
  const wide = builder.columns[wideColumn];
  if (typeof wide === 'number' && wide >= -2147483648 && wide <= 2147483647) {
    builder.columns[column] = wide;
  }
}

/** Returns the time defaults for the device's own times: its `dtz` zone, else the caller's. */
function deviceTimeDefaults(deviceZone: string | undefined, context: RecordContext): TimeDefaults {
  if (deviceZone === undefined) return context.time;
  const zone = parseTimeZone(deviceZone);
  if (zone) return { ...context.time, timeZone: zone };
  context.warn(
    'INVALID_TIME_ZONE',
    `Invalid dtz ${quoteValue(deviceZone)}: expected UTC, an offset such as +01:00, or an IANA zone name.`,
  );
  return context.time;
}

/** A field that may give a CEF line's event time, such as `rt`, with its parser. */
interface TimeSource {
  label: string;
  parse: () => TimeResult;
}

/**
 * Keys of FortiGate's own event time, read only when DeviceVendor is Fortinet. FortiGate CEF
 * prefixes its keys with `FTNTFGT` or `FortinetFortiGate`, and a FortiOS 5.6.14 sample uses
 * `ad.eventtime`. The value is a UTC epoch time, whatever offset the `tz` key gives. Public FortiGate
 * samples write seconds (10 digits) up to FortiOS 6.0 and nanoseconds (19 digits) from 6.2 on.
 * NOTE: no sample in microseconds (16 digits) was seen, so that unit rests on the digit count.
 */
const FORTINET_TIME_KEYS: ReadonlySet<string> = new Set([
  'FTNTFGTeventtime',
  'FortinetFortiGateeventtime',
  'ad.eventtime',
]);
const FORTINET_TIME_KEY_LENGTHS = new Set([...FORTINET_TIME_KEYS].map((key) => key.length));

/** Returns the first non-empty FortiGate event time of the scanned line, or undefined. */
function findFortinetEventTime(): { key: string; value: string } | undefined {
  if (scan.header[0]?.toLowerCase() !== 'fortinet') return undefined;
  for (let i = 0; i < scan.pairCount; i++) {
    if (!FORTINET_TIME_KEY_LENGTHS.has(scan.equalsAt[i]! - scan.keyStarts[i]!)) continue;
    const key = scan.key(i);
    if (!FORTINET_TIME_KEYS.has(key)) continue;
    const value = scan.value(i);
    if (value !== '') return { key, value };
  }
  return undefined;
}

/**
 * Returns the event time from the first source that gives a valid one, in the order `rt` read
 * in the device zone, FortiGate's event time, and the syslog header time. Warns for each source
 * that fails, and returns undefined when none gives an unambiguous time.
 */
function resolveEventTime(sources: TimeSource[], context: RecordContext): Date | undefined {
  for (const { label, parse } of sources) {
    const result = parse();
    if (result.ok) return result.date;
    context.warn(result.code, `${label}: ${result.message}`);
  }
  if (sources.length === 0) {
    context.warn(
      'MISSING_TIME',
      'CEF message has no rt field, no FortiGate eventtime and no syslog header time, so TimeGenerated is empty.',
    );
  }
  return undefined;
}
