/**
 * Worker thread of the parallel CEF reader: parses the parts of files that it is sent and posts
 * back each part's counts and kept events, under the settings of the run it was sent last.
 */
import { parentPort } from 'node:worker_threads';
import type { EventPrefilter } from '../event-prefilter.js';
import { parseCefPart, partFilter, type PartMessage, type PartSettings } from './cef-parts.js';

const port = parentPort!;
let current: { settings: PartSettings; filter: EventPrefilter } | undefined;
port.on('message', (message: PartMessage) => {
  if (message.type === 'settings') {
    current = { settings: message.settings, filter: partFilter(message.settings) };
    return;
  }
  if (!current) throw new Error('CEF worker received a part before the settings of its run.');
  port.postMessage(parseCefPart(message.job, current.settings, current.filter));
});
