/**
 * A local stand-in for the ThreatFox API on 127.0.0.1: it replays scripted responses in order
 * and records every request, so client tests never leave the machine.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { sharedFile } from './shared.js';

/** One scripted response. `hang` never responds; `reset` closes the connection without a response. */
export type ScriptedResponse =
  { status?: number; body: string | Buffer; headers?: Record<string, string> } | 'hang' | 'reset';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeThreatFox {
  /** Base URL of the server, ending in `/api/v1/`. */
  url: string;
  requests: RecordedRequest[];
  /** Adds responses to the end of the script. */
  enqueue(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

/**
 * Starts a server that responds to each request with the next scripted response, or with the last
 * one again once the script runs out.
 */
export async function startFakeThreatFox(...responses: ScriptedResponse[]): Promise<FakeThreatFox> {
  const script = [...responses];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let last: ScriptedResponse | undefined;

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const next = script.shift() ?? last;
      last = next;
      answer(next, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/v1/`,
    requests,
    enqueue: (...more) => script.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function answer(next: ScriptedResponse | undefined, response: ServerResponse): void {
  if (next === undefined) {
    response.writeHead(500, { 'content-type': 'text/plain' }).end('no scripted response');
    return;
  }
  if (next === 'hang') return;
  if (next === 'reset') {
    response.socket?.destroy();
    return;
  }
  response.writeHead(next.status ?? 200, {
    'content-type': 'application/json',
    ...next.headers,
  });
  response.end(next.body);
}

/** Returns a response with a JSON body. */
export function jsonResponse(
  document: unknown,
  status = 200,
  headers: Record<string, string> = {},
): ScriptedResponse {
  return { status, body: JSON.stringify(document), headers };
}

/** The real 2022 API response with two items, kept under ../shared. */
export const SHARED_API_ANSWER = 'threatfox/seanmcfeely_api-response_tests-data.json';

/** Real API items, one per line, kept under ../shared. */
export const SHARED_API_ITEMS =
  'threatfox/elastic_api-data-ndjson_test-threatfox-ndjson_TRIMMED.log';

/** Reads the recorded API answer as text. */
export function sharedApiAnswer(): string {
  return readFileSync(sharedFile(SHARED_API_ANSWER), 'utf8');
}

/** Reads the recorded NDJSON items as a list of API items. */
export function sharedApiItems(): Array<Record<string, unknown>> {
  return readFileSync(sharedFile(SHARED_API_ITEMS), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
