/**
 * Kusto checks of generated queries that run on the checker's thread while the build goes on
 * writing packs. The build learns the results when it calls `settle`, before it reports success.
 */
import type { Platform } from '../pipeline/schemas.js';
import type { KqlCheckOptions, KqlDiagnostic } from './kusto.js';
import { queryShape } from './query-shape.js';

/** A generated query to check, with the pack it belongs to. */
export interface GeneratedQuery {
  /** Folder name of the pack. */
  pack: string;
  /** Path of the query file in the pack folder, such as `queries/x.kql`. */
  file: string;
  text: string;
  platform: Platform;
}

/** A generated query that does not compile, with the parser's errors. */
export interface QueryCheckFailure {
  query: GeneratedQuery;
  errors: KqlDiagnostic[];
}

/** The check of one query shape, and the queries of that shape that wait for its result. */
interface ShapeCheck {
  /** Undefined while the check runs; then whether the shape has an error. */
  failed?: boolean;
  waiting: GeneratedQuery[];
  done: Promise<void>;
}

/**
 * Starts the Kusto check of each generated query without waiting for it. Each query shape (see
 * `queryShape`) is checked once, unless `fullCheck` is set, which checks every text. A query whose shape has
 * an error is checked again in full, so that the failure points at its real text. Only the text
 * of a query whose shape is still being checked is kept.
 */
export class DeferredQueryChecks {
  private readonly shapes = new Map<string, ShapeCheck>();
  private readonly fullChecks: Array<Promise<QueryCheckFailure | undefined>> = [];

  constructor(
    private readonly check: (text: string, options: KqlCheckOptions) => Promise<KqlDiagnostic[]>,
    private readonly fullCheck = false,
  ) {}

  /** Starts the check of `query`, or of its shape when no query of that shape was seen. */
  add(query: GeneratedQuery): void {
    if (this.fullCheck) {
      this.checkInFull(query);
      return;
    }
    const key = `${query.platform}\n${queryShape(query.text)}`;
    const shape = this.shapes.get(key);
    if (!shape) {
      const started: ShapeCheck = { waiting: [query], done: Promise.resolve() };
      started.done = this.errorsOf(key.slice(query.platform.length + 1), query.platform).then(
        (errors) => {
          started.failed = errors.length > 0;
          if (started.failed) for (const waiting of started.waiting) this.checkInFull(waiting);
          started.waiting = [];
        },
      );
      // `settle` reports a failed check; until then the rejection must not count as unhandled.
      started.done.catch(() => undefined);
      this.shapes.set(key, started);
    } else if (shape.failed === undefined) {
      shape.waiting.push(query);
    } else if (shape.failed) {
      this.checkInFull(query);
    }
  }

  /**
   * Waits for every check started so far and returns the queries that do not compile, in the
   * order they were added.
   *
   * @throws the error of a check that could not run, such as a parser that failed to load.
   */
  async settle(): Promise<QueryCheckFailure[]> {
    await Promise.all([...this.shapes.values()].map((shape) => shape.done));
    const results = await Promise.all(this.fullChecks);
    return results.filter((result) => result !== undefined);
  }

  private checkInFull(query: GeneratedQuery): void {
    const result = this.errorsOf(query.text, query.platform).then((errors) =>
      errors.length > 0 ? { query, errors } : undefined,
    );
    // `settle` reports a failed check; until then the rejection must not count as unhandled.
    result.catch(() => undefined);
    this.fullChecks.push(result);
  }

  private async errorsOf(text: string, platform: Platform): Promise<KqlDiagnostic[]> {
    const diagnostics = await this.check(text, { platform, analyzers: false });
    return diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  }
}
