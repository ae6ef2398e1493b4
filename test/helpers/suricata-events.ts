/** Suricata eve.json lines for tests of the local hunt. */

/**
 * Returns an eve.json fileinfo line of an HTTP download of `path` from 203.0.113.80 to 10.0.0.8,
 * with the given hash fields (`md5`, `sha1`, `sha256`).
 */
export function suricataFileinfoLine(
  flowId: number,
  hashes: Record<string, string>,
  path = '/hello.exe',
): string {
  return JSON.stringify({
    timestamp: '2026-12-05T10:00:00.000000+0000',
    flow_id: flowId,
    in_iface: 'eth0',
    event_type: 'fileinfo',
    src_ip: '203.0.113.80',
    src_port: 80,
    dest_ip: '10.0.0.8',
    dest_port: 50000,
    proto: 'TCP',
    app_proto: 'http',
    http: { hostname: 'files.example.org', url: path, http_method: 'GET' },
    fileinfo: { filename: path, state: 'CLOSED', stored: false, size: 5, ...hashes },
  });
}
