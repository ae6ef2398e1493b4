/**
 * Worker thread of the parallel CEF reader: parses the parts of files that it is sent and posts
 * back each part's counts and kept events. The run's settings arrive as `workerData`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseCefPart, partFilter, type PartJob, type PartSettings } from './cef-parts.js';

const settings = workerData as PartSettings;
const filter = partFilter(settings);
const port = parentPort!;
port.on('message', (job: PartJob) => port.postMessage(parseCefPart(job, settings, filter)));
