import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getColumnType, getTableSchema, parseColumnType } from '../../src/pipeline/schemas.js';

test('schema loads CommonSecurityLog columns', () => {
  const schema = getTableSchema('CommonSecurityLog');
  assert.equal(schema.columns.length, 164);
  assert.equal(getColumnType(schema, 'DestinationPort'), 'int');
  assert.equal(getColumnType(schema, 'ReceivedBytes'), 'long');
  assert.equal(getColumnType(schema, 'DestinationIP'), 'string');
});

test('schema reads CRLF files without a final newline', () => {
  const schema = getTableSchema('DeviceFileEvents');
  assert.equal(getColumnType(schema, 'SHA256'), 'string');
  assert.equal(getColumnType(schema, 'IsAzureInfoProtectionApplied'), 'bool');
});

test('defender schema drops Sentinel-only columns', () => {
  const sentinel = getTableSchema('DeviceNetworkEvents', 'sentinel');
  const defender = getTableSchema('DeviceNetworkEvents', 'defender');
  assert.equal(getColumnType(sentinel, 'TimeGenerated'), 'datetime');
  assert.equal(getColumnType(defender, 'TimeGenerated'), undefined);
  assert.equal(getColumnType(defender, 'Timestamp'), 'datetime');
  assert.equal(getColumnType(defender, 'RemotePort'), 'int');
});

test('column type names fold case and spelling', () => {
  assert.equal(parseColumnType('Datetime'), 'datetime');
  assert.equal(parseColumnType('BigInt'), 'long');
  assert.equal(parseColumnType('Float'), 'real');
  assert.equal(parseColumnType('Boolean'), 'bool');
  assert.equal(parseColumnType('System.String'), 'string');
  assert.equal(parseColumnType('blob'), undefined);
});

test('unknown table is a config error', () => {
  assert.throws(() => getTableSchema('NoSuchTable'), /No schema for table "NoSuchTable"/);
});

test('defender schema names the time column Timestamp', () => {
  const defender = getTableSchema('UrlClickEvents', 'defender');
  assert.equal(getColumnType(defender, 'Timestamp'), 'datetime');
  assert.equal(getColumnType(defender, '_BilledSize'), undefined);
});
