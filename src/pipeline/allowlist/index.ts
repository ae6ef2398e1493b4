/**
 * Allowlists: set aside indicators that cannot be attacker infrastructure or would flood a hunt,
 * and mark URLs that must be hunted as full URLs. Nothing is dropped silently: every indicator
 * set aside is returned with its list, entry and reason.
 */
export {
  Allowlists,
  builtInAllowlistNames,
  loadAllowlists,
  type AllowlistSummary,
  type LoadAllowlistsOptions,
} from './allowlists.js';
export { applyAllowlists, checkIndicator } from './apply.js';
export { parseUserAllowlist } from './user-list.js';
export type {
  AllowlistDecision,
  AllowlistResult,
  AllowlistSource,
  FullUrlMatch,
  SetAside,
  UrlHostAction,
} from './types.js';
