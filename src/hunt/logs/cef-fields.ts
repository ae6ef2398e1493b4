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
  addNumberedKeys(keys, 'cs', 'DeviceCustomString', 6);
  addNumberedKeys(keys, 'cn', 'DeviceCustomNumber', 3);
  addNumberedKeys(keys, 'cfp', 'DeviceCustomFloatingPoint', 4);
  addNumberedKeys(keys, 'c6a', 'DeviceCustomIPv6Address', 4);
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
export const CEF_WIDE_NUMBER_COLUMNS: ReadonlyMap<string, string> = new Map([
  ['cn1', 'FieldDeviceCustomNumber1'],
  ['cn2', 'FieldDeviceCustomNumber2'],
  ['cn3', 'FieldDeviceCustomNumber3'],
]);
