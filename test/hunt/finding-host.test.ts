import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findingHost } from '../../src/hunt/findings.js';

describe('findingHost in CommonSecurityLog', () => {
  const inbound = { SourceIP: '178.32.252.70', SourceHostName: 'login.evil-host.top' };

  it('takes the destination of an inbound URL hit', () => {
    const columns = { ...inbound, DestinationIP: '10.1.1.9', DestinationHostName: 'evil-host.top' };
    assert.equal(findingHost('CommonSecurityLog', 'RequestURL', columns), '10.1.1.9');
    assert.equal(findingHost('CommonSecurityLog', 'DestinationHostName', columns), '10.1.1.9');
  });

  it('takes the source between public addresses', () => {
    const columns = { ...inbound, DestinationIP: '203.0.113.80' };
    assert.equal(findingHost('CommonSecurityLog', 'RequestURL', columns), 'login.evil-host.top');
  });

  it('takes the source of an outbound URL hit', () => {
    const columns = { SourceIP: '10.1.1.5', DestinationIP: '10.1.1.1' };
    assert.equal(findingHost('CommonSecurityLog', 'RequestURL', columns), '10.1.1.5');
  });

  it('takes the destination of a source hit', () => {
    const columns = { ...inbound, DestinationIP: '10.1.1.9', DestinationHostName: 'web01' };
    assert.equal(findingHost('CommonSecurityLog', 'source', columns), 'web01');
  });
});
