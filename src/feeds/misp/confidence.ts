/**
 * Confidence of MISP attributes from the three MISP taxonomies whose tags state a confidence in
 * the information itself. Each value maps to the `numerical_value` that its taxonomy's
 * machinetag.json gives it (github.com/MISP/misp-taxonomies): `misp` version 14,
 * `estimative-language` version 5 and `admiralty-scale` version 5.
 *
 * Other MISP fields are no confidence and are not read as one: the event `threat_level_id` and
 * `misp:threat-level` rate the threat, `admiralty-scale:source-reliability` rates the source,
 * `estimative-language:likelihood-probability` rates an event's likelihood, and `to_ids` decides
 * whether an attribute is read at all.
 */

/** Numerical values of each confidence predicate, by tag value. */
const CONFIDENCE_VALUES: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map([
  [
    'misp:confidence-level',
    new Map([
      ['completely-confident', 100],
      ['usually-confident', 75],
      ['fairly-confident', 50],
      ['rarely-confident', 25],
      ['unconfident', 0],
      ['confidence-cannot-be-evaluated', 50],
    ]),
  ],
  [
    'estimative-language:confidence-in-analytic-judgment',
    new Map([
      ['low', 0],
      ['moderate', 55],
      ['high', 95],
    ]),
  ],
  [
    'admiralty-scale:information-credibility',
    new Map([
      ['1', 100],
      ['2', 75],
      ['3', 50],
      ['4', 25],
      ['5', 0],
      ['6', 50],
    ]),
  ],
]);

/** Tag prefixes (`namespace:predicate`) that carry a confidence, for messages and the pack. */
export const CONFIDENCE_PREDICATES: readonly string[] = [...CONFIDENCE_VALUES.keys()];

const MACHINE_TAG = /^([^:=\s]+:[^=\s]+)\s*=\s*"?([^"]*)"?$/;

/** The confidence a tag gives, or `unknown` for a confidence tag whose value no taxonomy lists. */
export type TagConfidence =
  | { kind: 'value'; value: number }
  | { kind: 'unknown'; predicate: string; value: string; known: string[] };

/** Reads the confidence of one tag name, or returns undefined for a tag of another kind. */
export function readTagConfidence(tag: string): TagConfidence | undefined {
  const match = MACHINE_TAG.exec(tag.trim());
  if (!match) return undefined;
  const predicate = match[1]!.toLowerCase();
  const values = CONFIDENCE_VALUES.get(predicate);
  if (!values) return undefined;
  const text = match[2]!.trim();
  const value = values.get(text.toLowerCase());
  if (value !== undefined) return { kind: 'value', value };
  return { kind: 'unknown', predicate, value: text, known: [...values.keys()] };
}

/**
 * Returns the confidence of the first level (attribute, object, event) whose tags give one, so
 * an attribute's own tag overrides its event's. When tags of one level disagree, the lowest
 * value wins, so that `--min-confidence` keeps only what every tag supports.
 */
export function chooseConfidence(levels: readonly (readonly string[])[]): number | undefined {
  for (const tags of levels) {
    let lowest: number | undefined;
    for (const tag of tags) {
      const confidence = readTagConfidence(tag);
      if (confidence?.kind !== 'value') continue;
      if (lowest === undefined || confidence.value < lowest) lowest = confidence.value;
    }
    if (lowest !== undefined) return lowest;
  }
  return undefined;
}
