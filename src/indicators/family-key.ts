/**
 * The key that identifies a malware family across feeds: packs group their indicators by it,
 * the family filter selects by it, and the state keeps each family under it.
 */
import type { MalwareFamily } from './model.js';

/** The family name that packs give indicators without one. */
export const UNKNOWN_FAMILY_NAME = 'Unknown malware';

/**
 * Returns the key of a family: the Malpedia id, else the name, lower-cased. Packs group their
 * indicators by it, and the state keeps each family under it. A threat group's key starts with
 * its kind, such as `intrusion-set:apt28`, so that it never shares a pack with a malware family
 * of the same name.
 */
export function familyKeyOf(family: MalwareFamily | undefined): string {
  const key = familyKeyText(family?.malpedia ?? family?.name ?? UNKNOWN_FAMILY_NAME);
  return family?.kind === undefined ? key : `${family.kind}:${key}`;
}

/**
 * Returns a Malpedia id or family name as a family key: lower case and in Unicode NFC. Feed
 * readers write names in NFC already, and a name that a library caller gives is normalized here.
 */
export function familyKeyText(text: string): string {
  const key = text.toLowerCase();
  return NON_ASCII.test(key) ? key.normalize('NFC') : key;
}

const NON_ASCII = /[\u0080-\uffff]/;
