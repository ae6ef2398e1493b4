/**
 * The earlier, pair-by-pair CEF mapping onto CommonSecurityLog, kept as a test oracle and changed
 * since only to read FortiGate's event time. The differential tests check that the scan-based
 * `parseCefRecord` in src/hunt/logs gives the same results and warnings on fixtures, vendor
 * samples and random lines.
 */
import { quoteValue } from '../../../../src/errors.js';
import { parseCef, type CefMessage } from './cef-parse.js';
import { ADDRESS_COLUMNS } from '../../../../src/hunt/logs/address.js';
import { getLogTableColumns } from '../../../../src/hunt/logs/event.js';
import { CEF_KEY_COLUMNS, CEF_WIDE_NUMBER_COLUMNS } from '../../../../src/hunt/logs/cef-fields.js';
import {
  parseEpochOfAnyUnit,
  parseLogTime,
  parseTimeZone,
  type TimeDefaults,
  type TimeResult,
} from '../../../../src/hunt/logs/log-time.js';
import {
  ColumnBuilder,
  joinExtensions,
  rejectRecord,
  skipRecord,
  type RecordContext,
  type RecordOutcome,
} from '../../../../src/hunt/logs/record.js';
import { parseSyslogHeader } from '../../../../src/hunt/logs/syslog-header.js';

/**
 * Mapped columns of type string. The parser has already unescaped and trimmed their values,
 * so they are stored without conversion, which keeps the common case fast.
 */
const STRING_COLUMNS: ReadonlySet<string> = new Set(
  [...CEF_KEY_COLUMNS.values()].filter(
    (column) =>
      getLogTableColumns('CommonSecurityLog').get(column) === 'string' &&
      !ADDRESS_COLUMNS.CommonSecurityLog.has(column),
  ),
);

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
  const parsed = parseCef(text);
  if (!parsed.ok) return rejectRecord(parsed.code, parsed.message);
  return cefToEvent(parsed.message, context);
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

/** Maps a parsed CEF message onto CommonSecurityLog columns. */
export function cefToEvent(message: CefMessage, context: RecordContext): RecordOutcome {
  const builder = new ColumnBuilder('CommonSecurityLog', context);
  builder.set('DeviceVendor', message.vendor);
  builder.set('DeviceProduct', message.product);
  builder.set('DeviceVersion', message.deviceVersion);
  builder.set('DeviceEventClassID', message.signatureId);
  builder.set('Activity', message.name);
  builder.set('LogSeverity', message.severity);

  let receiptTime: string | undefined;
  let deviceZone: string | undefined;
  for (const [key, value] of message.extension) {
    if (key === 'rt' && value !== '') receiptTime = value;
    else if (key === 'dtz' && value !== '') deviceZone = value;
  }
  const deviceTime = deviceTimeDefaults(deviceZone, context);

  const additional: string[] = [];
  for (const [key, value] of message.extension) {
    if (value === '') continue;
    const column = CEF_KEY_COLUMNS.get(key);
    if (column === undefined) additional.push(`${key}=${value}`);
    else if (STRING_COLUMNS.has(column)) builder.columns[column] = value;
    else if (key === 'externalId') setExternalId(builder, value);
    else if (CEF_WIDE_NUMBER_COLUMNS.has(key)) setCustomNumber(builder, key, column, value);
    else builder.set(column, value, deviceTime);
  }
  builder.set('AdditionalExtensions', joinExtensions(additional));
  for (const stray of message.strayText) {
    context.warn(
      'INVALID_CEF_EXTENSION',
      `CEF extension text ${quoteValue(stray)} is not a key=value pair and was ignored.`,
    );
  }

  const header = message.prefix.trim() === '' ? undefined : parseSyslogHeader(message.prefix);
  if (header?.host) builder.set('Computer', header.host);
  const sources: [string, () => TimeResult][] = [];
  if (receiptTime !== undefined) sources.push(['rt', () => parseLogTime(receiptTime, deviceTime)]);
  const fortinetTime =
    message.vendor.toLowerCase() === 'fortinet'
      ? message.extension.find(([key, value]) => FORTINET_TIME_KEYS.has(key) && value !== '')
      : undefined;
  if (fortinetTime) sources.push([fortinetTime[0], () => parseEpochOfAnyUnit(fortinetTime[1])]);
  const headerTime = header?.timeText;
  if (headerTime !== undefined) {
    sources.push(['syslog header time', () => parseLogTime(headerTime, context.time)]);
  }
  const time = resolveEventTime(sources, context);
  if (time) builder.setTime(time);
  return builder.toOutcome();
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

/** Keys of FortiGate's own event time, read only when DeviceVendor is Fortinet. */
const FORTINET_TIME_KEYS = new Set([
  'FTNTFGTeventtime',
  'FortinetFortiGateeventtime',
  'ad.eventtime',
]);

/**
 * Returns the event time from the first source that gives a valid one: `rt` read in the device
 * zone, FortiGate's event time, then the syslog header time. Warns for each source that fails.
 */
function resolveEventTime(
  sources: [string, () => TimeResult][],
  context: RecordContext,
): Date | undefined {
  for (const [label, parse] of sources) {
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
