/**
 * Worker thread that decides indicators for {@link BackgroundAllowlistDecisions}: it loads the
 * same allowlists as the main thread, then responds to each batch, in order, with the outcomes
 * that differ from keeping the indicator as it is.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadAllowlists, type LoadAllowlistsOptions } from './allowlists.js';
import { decideIndicators, KEPT, type IndicatorDecision } from './apply.js';
import { indicatorsOf, type DecisionBatch } from './decision-batch.js';

/** The response to a batch: each outcome other than `KEPT`, by position in the batch, or an error. */
export type DecisionResponse = { decided: Array<[number, IndicatorDecision]> } | { error: string };

const port = parentPort!;
let lists: ReturnType<typeof loadAllowlists> | undefined;

port.on('message', (batch: DecisionBatch) => {
  let response: DecisionResponse;
  try {
    // Warnings about user files were printed when the main thread loaded them.
    lists ??= loadAllowlists({ ...(workerData as LoadAllowlistsOptions), warnings: [] });
    const decided: Array<[number, IndicatorDecision]> = [];
    for (const [position, outcome] of decideIndicators(indicatorsOf(batch), lists, {
      shared: true,
    }).entries()) {
      if (outcome !== KEPT) decided.push([position, outcome]);
    }
    response = { decided };
  } catch (error) {
    response = { error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(response);
});
