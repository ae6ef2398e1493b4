/**
 * huntpack's library API: read feeds, normalize indicators, build hunts in the backend-neutral
 * form, compile them to KQL, check queries with the Kusto parser, and write packs.
 */
export * from './errors.js';
export * from './indicators/model.js';
export { ListProvenance, RecordProvenance, type Provenance } from './indicators/provenance.js';
export {
  normalizeIndicator,
  mapThreatFoxType,
  parseIndicatorKind,
  urlKey,
} from './indicators/normalize.js';
export { mergeIndicators } from './indicators/merge.js';
export { filterIndicators, familySlug, parseKinds, parseSince } from './indicators/filter.js';
export type { IndicatorFilterOptions } from './indicators/filter.js';
export { defang, refangValue } from './indicators/defang.js';

export { readFeeds } from './feeds/read.js';
export { detectFeedFormat, FEED_FORMATS } from './feeds/detect.js';
export type { FeedFormat } from './feeds/detect.js';
export { readStix } from './feeds/stix/read-stix.js';
export { readMisp, readMispPath } from './feeds/misp.js';
export { readText } from './feeds/text.js';

export { collectIndicators } from './pipeline/collect.js';
export type { FamilyCopies } from './pipeline/family-copies.js';
export { DATA_SOURCES, getDataSource } from './pipeline/data-sources.js';
export { getTableSchema, getPlatformSchemas } from './pipeline/schemas.js';
export { SCENARIOS } from './pipeline/scenarios.js';
export { loadUserExclusions, parseUserExclusions } from './pipeline/user-exclusions.js';
export { loadAllowlists, applyAllowlists } from './pipeline/allowlist/index.js';
export { checkExclusion, checkFilter } from './pipeline/filter-check/check.js';
export { parseFilter } from './pipeline/filter-lang/parse.js';

export * from './compile/ir.js';
export { buildHunts } from './compile/build-hunts.js';
export { compileKql, SENTINEL_QUERY_LIMIT } from './backends/kql/kql.backend.js';
export { compileKqlWithinLimit } from './backends/kql/kql.split.js';
export { kqlString, kqlIdentifier, kqlDatetime } from './backends/kql/kql.escape.js';

export { checkKql } from './validate/kusto.js';
export { checkKqlFiles } from './validate/check-files.js';
export { lintReport } from './validate/lint/lint-report.js';

export { buildPacks } from './report/build-packs.js';
export { writePack, packToJson } from './report/write-pack.js';
export { readPackHunts } from './report/read-pack.js';
export { renderReport } from './report/markdown.js';
export type { Pack } from './report/pack-model.js';

export { HUNTPACK_VERSION } from './version.js';
