/**
 * Reader for STIX 2.1 and STIX 2.0 JSON: bundles, TAXII envelopes (`{"objects": [...]}`), a bare
 * list of objects or one object. Every `indicator` object whose pattern huntpack can use becomes
 * one or more RawIndicator records. The others are counted and reported with their id. An OR
 * branch that cannot be hunted, between observations or inside one, is left out with a warning
 * while the other branches are hunted. That includes an `unconverted_term:...` placeholder from
 * the OASIS stix2-elevator, which is read as a branch that names no value.
 * A `url:value` that writes a WebDAV port after `@`, or that is a bare host name, is read as
 * the URL or host it means, with a warning (see `url-value.ts`). An entry of the document's list
 * that is not a JSON object counts as one row read and rejected, with an error naming its index.
 */
import {
  FeedParseError,
  quoteValue,
  type HuntpackIssue,
  type SourceLocation,
} from '../../errors.js';
import type { RawIndicator } from '../../indicators/model.js';
import {
  describeJsonValue,
  isJsonObject,
  parseJsonDocument,
  stringField,
  type JsonObject,
} from '../json-document.js';
import { countDropped, emptyReaderOutput, type FeedReaderOutput } from '../reader-output.js';
import { indexBundle, type BundleIndex } from './bundle-index.js';
import { indicatorContext, mispLabel } from './indicator-context.js';
import {
  extractPatternIndicators,
  listBranches,
  type PatternIndicator,
} from './pattern-indicators.js';
import { StixPatternError } from './pattern-lexer.js';
import { parsePattern } from './pattern-parser.js';
import { readUrlValue } from '../url-value.js';

export interface StixReaderOptions {
  /**
   * Keep indicators labelled `misp:to_ids="False"` by a MISP-to-STIX export. Default false:
   * they are dropped and counted as `not-to-ids`, as the MISP reader does.
   */
  allAttributes?: boolean;
  /** Family name given to every record, replacing the one found in the bundle. Default: none. */
  family?: string;
  /**
   * The time an indicator's `valid_until` is compared with, to name expired indicators in an
   * issue. Default: the current time.
   */
  now?: Date;
}

/** Reads one STIX document; throws FeedParseError when the file is not STIX 2 JSON at all. */
export function readStix(
  text: string,
  file: string,
  options: StixReaderOptions = {},
): FeedReaderOutput {
  const { entries, listPath } = stixEntries(parseJsonDocument(text, file, 'STIX'), file);
  const output = emptyReaderOutput();
  const objects: JsonObject[] = [];
  entries.forEach((entry: unknown, position) => {
    if (isJsonObject(entry)) {
      objects.push(entry);
      return;
    }
    // The entry may have been an indicator, so it counts as one row read and rejected.
    const message = `Entry ${listPath}[${position}] is ${describeJsonValue(entry)}, but a STIX object was expected, so it is skipped.`;
    reject(output, issue('STIX_INVALID_OBJECT', 'error', message, { file }));
  });
  const index = indexBundle(objects);
  let notToIds = 0;
  for (const object of objects) {
    if (object.type !== 'indicator') continue;
    const source: SourceLocation = { file, id: stringField(object.id) ?? '(no id)' };
    if (object.revoked === true) {
      countDropped(output, 'revoked');
      output.issues.push(
        issue('STIX_INDICATOR_REVOKED', 'info', 'Indicator is revoked, so it is left out.', source),
      );
    } else if (!options.allAttributes && mispLabel(object, 'to_ids')?.toLowerCase() === 'false') {
      countDropped(output, 'not-to-ids');
      notToIds++;
    } else {
      readIndicator(index, object, source, output, options);
    }
  }
  if (notToIds > 0) {
    const message = `${notToIds} indicators are labelled misp:to_ids="False" and were left out. Pass --all-attributes to huntpack build (library option allAttributes) to keep them.`;
    output.issues.push(issue('STIX_NOT_TO_IDS', 'info', message, { file }));
  }
  return output;
}

function readIndicator(
  index: BundleIndex,
  object: JsonObject,
  source: SourceLocation,
  output: FeedReaderOutput,
  options: StixReaderOptions,
): void {
  const pattern = object.pattern;
  const patternType = stringField(object.pattern_type) ?? 'stix';
  if (typeof pattern !== 'string' || patternType !== 'stix') {
    const message =
      typeof pattern !== 'string'
        ? 'Indicator has no pattern string, so it is skipped.'
        : `Indicator pattern_type ${quoteValue(patternType)} is not supported (expected "stix"), so it is skipped.`;
    reject(output, issue('STIX_PATTERN_UNSUPPORTED', 'warning', message, source));
    return;
  }
  const tree = parseOrReport(pattern, source, output);
  if (!tree) return;
  const extraction = extractPatternIndicators(tree);
  if (!extraction.usable) {
    const message = `Indicator skipped because ${extraction.reason}. Pattern: ${quoteValue(pattern, 160)}`;
    reject(output, issue('STIX_PATTERN_UNSUPPORTED', 'warning', message, source));
    return;
  }
  if (extraction.ignored.length > 0) {
    const message = `Indicator hashes are used without the other file properties AND-ed with them (${extraction.ignored.join(', ')}), because a hash identifies the file content.`;
    output.issues.push(issue('STIX_PATTERN_TERMS_IGNORED', 'info', message, source));
  }
  const context = indicatorContext(index, object, source, output.issues);
  const now = options.now ?? new Date();
  if (context.expires && context.expires.getTime() <= now.getTime()) {
    // The build's filters leave such an indicator out, unless another feed lists it without an
    // expiry date. It is still read, so that --state reports it as expired, not removed.
    const count = extraction.indicators.length;
    const until = context.expires.toISOString();
    const values = extraction.indicators.map((found) => found.value).join(', ');
    const message = `Indicator expired at ${until} (valid_until), so its ${count === 1 ? 'value' : `${count} values`} ${quoteValue(values, 160)} ${count === 1 ? 'is' : 'are'} not hunted unless another feed lists ${count === 1 ? 'it' : 'them'} without an expiry date.`;
    output.issues.push(issue('STIX_INDICATOR_EXPIRED', 'info', message, source));
  }
  if (extraction.omitted.length > 0) {
    // Each OR branch left out counts as one rejected item, so the summary shows the loss.
    const count = extraction.omitted.length;
    const branches = listBranches(
      extraction.omitted,
      (branch) => `${quoteValue(branch.pattern, 160)} because ${branch.reason}`,
    );
    const message = `Indicator is hunted on its other OR branches, and ${count === 1 ? 'this branch is' : `these ${count} branches are`} left out: ${branches}.`;
    output.issues.push(issue('STIX_PATTERN_BRANCH_SKIPPED', 'warning', message, source));
    output.rejected += extraction.omitted.length;
    output.itemsRead += extraction.omitted.length;
  }
  if (options.family) context.family = { name: options.family, aliases: [] };
  for (const found of extraction.indicators) {
    output.records.push(toRawIndicator(rereadUrl(found, source, output), context, source));
  }
  output.itemsRead += extraction.indicators.length;
  if (extraction.indicators.length === 0) countDropped(output, 'empty-pattern-set');
}

function parseOrReport(
  pattern: string,
  source: SourceLocation,
  output: FeedReaderOutput,
): ReturnType<typeof parsePattern> | undefined {
  try {
    return parsePattern(pattern);
  } catch (error) {
    if (!(error instanceof StixPatternError)) throw error;
    const hint = pattern.includes('unconverted_term')
      ? " The pattern contains unconverted_term, a placeholder a STIX 1 converter leaves for an observable it could not convert. huntpack skips a placeholder only where a comparison can start (after '[', '(', AND or OR) and only when AND, OR, ')' or ']' follows it."
      : '';
    const message = `Indicator pattern is invalid: ${error.message}.${hint} Pattern: ${quoteValue(pattern, 160)}`;
    reject(output, issue('STIX_PATTERN_SYNTAX', 'error', message, source));
    return undefined;
  }
}

/** Reads a `url:value` through `readUrlValue`, adding its warning to the output. */
function rereadUrl(
  found: PatternIndicator,
  source: SourceLocation,
  output: FeedReaderOutput,
): PatternIndicator {
  if (found.type !== 'url' || found.path !== 'url:value') return found;
  const reading = readUrlValue(found.value, source, {
    name: 'url:value',
    bareHostCode: 'STIX_URL_BARE_HOST',
  });
  if (reading.warning) output.issues.push(reading.warning);
  return { ...found, type: reading.type, value: reading.value };
}

function toRawIndicator(
  found: PatternIndicator,
  context: RawIndicator['context'],
  source: SourceLocation,
): RawIndicator {
  const tags = found.side === 'source' ? [...(context.tags ?? []), 'side:source'] : context.tags;
  const record: RawIndicator = {
    type: found.type,
    value: found.value,
    context: { ...context, tags },
    source,
  };
  if (found.port !== undefined) record.port = found.port;
  return record;
}

/** The entries of a STIX 2 document, which should all be objects, and the path of their list. */
interface StixEntries {
  entries: unknown[];
  /** `objects` for a bundle or envelope, empty for a top-level list. */
  listPath: string;
}

/** Returns the entries of a STIX 2 document, or throws naming what the document is instead. */
function stixEntries(document: unknown, file: string): StixEntries {
  if (Array.isArray(document)) return { entries: document, listPath: '' };
  if (!isJsonObject(document)) throw notStix(file, 'a JSON scalar');
  if (isStix1(document)) {
    const version = stringField(document.version) ?? '1.x';
    throw new FeedParseError(
      'STIX1_NOT_SUPPORTED',
      `"${file}" is a STIX 1.x document (version ${quoteValue(version)}), and STIX 1.x is not supported. Convert it to STIX 2.1 first, for example with the OASIS stix2-elevator.`,
      { source: { file } },
    );
  }
  if (Array.isArray(document.objects)) return { entries: document.objects, listPath: 'objects' };
  if (typeof document.type === 'string' && document.type !== 'bundle') {
    return { entries: [document], listPath: '' };
  }
  throw notStix(
    file,
    document.type === 'bundle'
      ? 'a bundle without an objects list'
      : 'a JSON object without a STIX type',
  );
}

function isStix1(document: JsonObject): boolean {
  const version = stringField(document.version);
  return (
    'stix_header' in document ||
    (version !== undefined && /^1\./.test(version) && !('type' in document))
  );
}

function notStix(file: string, found: string): FeedParseError {
  return new FeedParseError(
    'NOT_STIX',
    `"${file}" is ${found}, not a STIX 2 bundle or object (expected {"type": "bundle", "objects": [...]}). Pass --format to choose another reader.`,
    { source: { file } },
  );
}

function issue(
  code: string,
  severity: HuntpackIssue['severity'],
  message: string,
  source: SourceLocation,
): HuntpackIssue {
  return { code, severity, message, source };
}

function reject(output: FeedReaderOutput, rejection: HuntpackIssue): void {
  output.issues.push(rejection);
  output.rejected++;
  output.itemsRead++;
}
