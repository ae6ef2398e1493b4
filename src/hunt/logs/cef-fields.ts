/**
 * CEF extension keys and the CommonSecurityLog columns that Microsoft Sentinel's CEF connector
 * stores them in, as listed on Microsoft Learn, "CEF and CommonSecurityLog field mapping"
 * (https://learn.microsoft.com/azure/sentinel/cef-name-mapping). Keys are case-sensitive, as in
 * the CEF specification. Keys missing here go to AdditionalExtensions as `key=value;...`.
 */

const PLAIN_KEYS: Record<string, string> = {
  act: 'DeviceAction',
  app: 'ApplicationProtocol',
  cat: 'DeviceEventCategory',
  cnt: 'EventCount',
  destinationDnsDomain: 'DestinationDnsDomain',
  destinationServiceName: 'DestinationServiceName',
  destinationTranslatedAddress: 'DestinationTranslatedAddress',
  destinationTranslatedPort: 'DestinationTranslatedPort',
  deviceDirection: 'CommunicationDirection',
  deviceDnsDomain: 'DeviceDnsDomain',
  deviceExternalId: 'DeviceExternalID',
  deviceFacility: 'DeviceFacility',
  deviceInboundInterface: 'DeviceInboundInterface',
  deviceNtDomain: 'DeviceNtDomain',
  deviceOutboundInterface: 'DeviceOutboundInterface',
  devicePayloadId: 'DevicePayloadId',
  deviceProcessName: 'ProcessName',
  deviceTranslatedAddress: 'DeviceTranslatedAddress',
  dhost: 'DestinationHostName',
  dmac: 'DestinationMACAddress',
  dntdom: 'DestinationNTDomain',
  dpid: 'DestinationProcessId',
  dpriv: 'DestinationUserPrivileges',
  dproc: 'DestinationProcessName',
  dpt: 'DestinationPort',
  dst: 'DestinationIP',
  dtz: 'DeviceTimeZone',
  duid: 'DestinationUserID',
  duser: 'DestinationUserName',
  dvc: 'DeviceAddress',
  dvchost: 'DeviceName',
  dvcmac: 'DeviceMacAddress',
  dvcpid: 'ProcessID',
  end: 'EndTime',
  externalId: 'ExternalID',
  fileCreateTime: 'FileCreateTime',
  fileHash: 'FileHash',
  fileId: 'FileID',
  fileModificationTime: 'FileModificationTime',
  filePath: 'FilePath',
  filePermission: 'FilePermission',
  fileType: 'FileType',
  fname: 'FileName',
  fsize: 'FileSize',
  in: 'ReceivedBytes',
  msg: 'Message',
  oldFileCreateTime: 'OldFileCreateTime',
  oldFileHash: 'OldFileHash',
  oldFileId: 'OldFileID',
  oldFileModificationTime: 'OldFileModificationTime',
  oldFileName: 'OldFileName',
  oldFilePath: 'OldFilePath',
  oldFilePermission: 'OldFilePermission',
  oldFileSize: 'OldFileSize',
  oldFileType: 'OldFileType',
  out: 'SentBytes',
  outcome: 'EventOutcome',
  proto: 'Protocol',
  reason: 'Reason',
  request: 'RequestURL',
  requestClientApplication: 'RequestClientApplication',
  requestContext: 'RequestContext',
  requestCookies: 'RequestCookies',
  requestMethod: 'RequestMethod',
  rt: 'ReceiptTime',
  shost: 'SourceHostName',
  smac: 'SourceMACAddress',
  sntdom: 'SourceNTDomain',
  sourceDnsDomain: 'SourceDnsDomain',
  sourceServiceName: 'SourceServiceName',
  sourceTranslatedAddress: 'SourceTranslatedAddress',
  sourceTranslatedPort: 'SourceTranslatedPort',
  spid: 'SourceProcessId',
  spriv: 'SourceUserPrivileges',
  sproc: 'SourceProcessName',
  spt: 'SourcePort',
  src: 'SourceIP',
  start: 'StartTime',
  suid: 'SourceUserID',
  suser: 'SourceUserName',
  type: 'EventType',
  flexDate1: 'FlexDate1',
  flexDate1Label: 'FlexDate1Label',
};

/**
 * Full key names of the CEF extension dictionary for the keys above that have a short name,
 * such as `sourceAddress` for `src`, read into the same columns. Some vendors write the full
 * names, such as Cisco ESA (`sourceAddress=`).
 *
 * NOTE: `deviceReceiptTime`, `startTime`, `endTime` and `deviceTimeZone` still go to
 * AdditionalExtensions. The reader gives `rt` and `dtz` a meaning of their own (event time and
 * device zone), and no real times in these keys were at hand to test.
 */
const FULL_NAME_KEYS: Record<string, string> = {
  applicationProtocol: 'app',
  baseEventCount: 'cnt',
  bytesIn: 'in',
  bytesOut: 'out',
  destinationAddress: 'dst',
  destinationHostName: 'dhost',
  destinationMacAddress: 'dmac',
  destinationNtDomain: 'dntdom',
  destinationPort: 'dpt',
  destinationProcessId: 'dpid',
  destinationProcessName: 'dproc',
  destinationUserId: 'duid',
  destinationUserName: 'duser',
  destinationUserPrivileges: 'dpriv',
  deviceAction: 'act',
  deviceAddress: 'dvc',
  deviceEventCategory: 'cat',
  deviceHostName: 'dvchost',
  deviceMacAddress: 'dvcmac',
  deviceProcessId: 'dvcpid',
  eventOutcome: 'outcome',
  fileName: 'fname',
  fileSize: 'fsize',
  message: 'msg',
  requestUrl: 'request',
  sourceAddress: 'src',
  sourceHostName: 'shost',
  sourceMacAddress: 'smac',
  sourceNtDomain: 'sntdom',
  sourcePort: 'spt',
  sourceProcessId: 'spid',
  sourceProcessName: 'sproc',
  sourceUserId: 'suid',
  sourceUserName: 'suser',
  sourceUserPrivileges: 'spriv',
  transportProtocol: 'proto',
};

/** Numbered custom keys: the short prefix, its full name in the CEF specification and the column. */
const NUMBERED_KEYS: ReadonlyArray<[short: string, full: string, column: string, count: number]> = [
  ['cs', 'deviceCustomString', 'DeviceCustomString', 6],
  ['cn', 'deviceCustomNumber', 'DeviceCustomNumber', 3],
  ['cfp', 'deviceCustomFloatingPoint', 'DeviceCustomFloatingPoint', 4],
  ['c6a', 'deviceCustomIPv6Address', 'DeviceCustomIPv6Address', 4],
];

/** Adds the numbered custom keys, such as `cs1` and `cs1Label`, with their label keys. */
function addNumberedKeys(
  keys: Record<string, string>,
  prefix: string,
  column: string,
  count: number,
): void {
  for (let n = 1; n <= count; n++) {
    keys[`${prefix}${n}`] = `${column}${n}`;
    keys[`${prefix}${n}Label`] = `${column}${n}Label`;
  }
}

function buildKeyMap(): ReadonlyMap<string, string> {
  const keys = { ...PLAIN_KEYS };
  for (const [full, short] of Object.entries(FULL_NAME_KEYS)) keys[full] = PLAIN_KEYS[short]!;
  for (const [short, full, column, count] of NUMBERED_KEYS) {
    addNumberedKeys(keys, short, column, count);
    addNumberedKeys(keys, full, column, count);
  }
  addNumberedKeys(keys, 'deviceCustomDate', 'DeviceCustomDate', 2);
  addNumberedKeys(keys, 'flexNumber', 'FlexNumber', 2);
  addNumberedKeys(keys, 'flexString', 'FlexString', 2);
  return new Map(Object.entries(keys));
}

/** CEF extension key to CommonSecurityLog column. */
export const CEF_KEY_COLUMNS: ReadonlyMap<string, string> = buildKeyMap();

/**
 * Custom number keys whose value also goes to the 64-bit `FieldDeviceCustomNumberN` column,
 * because `DeviceCustomNumberN` is a 32-bit int and vendors send larger values.
 */
export const CEF_WIDE_NUMBER_COLUMNS: ReadonlyMap<string, string> = new Map(
  [1, 2, 3].flatMap((n) => [
    [`cn${n}`, `FieldDeviceCustomNumber${n}`],
    [`deviceCustomNumber${n}`, `FieldDeviceCustomNumber${n}`],
  ]),
);
