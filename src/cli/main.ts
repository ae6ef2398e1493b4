/** The `huntpack` executable: runs the command line with the process's own streams. */
import { exitQuietlyOnClosedPipes, processIo } from './io.js';
import { run } from './run.js';

exitQuietlyOnClosedPipes();
process.exitCode = await run(process.argv.slice(2), processIo());
