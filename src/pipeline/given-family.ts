/**
 * The family that `--family` gives to records that name none: free text, and MISP events and
 * STIX bundles without a malware family. A file that names families for some of its records,
 * such as a STIX bundle that ties two indicators to OopsIE and leaves 86 untied, gives no reason
 * to think its other records are of the requested family. They keep none, with a warning.
 */
import { quoteValue, type HuntpackIssue } from '../errors.js';
import type { FeedFormat } from '../feeds/detect.js';
import { familyKeyOf, UNKNOWN_FAMILY_NAME } from '../indicators/family-key.js';
import { buildFamilyMatcher } from '../indicators/filter.js';
import { indicatorKey, type Indicator, type MalwareFamily } from '../indicators/model.js';

/** Families named in the warning about one file; the rest are counted. */
const SHOWN_FAMILIES = 3;

/**
 * Passes each record's indicator on in read order, except records without a family, which wait
 * until their file ends. Then they get the requested family, unless the file named another.
 */
export class GivenFamily {
  /** Keys of the indicators that took the family. */
  private readonly keys = new Set<string>();
  private file: string | undefined;
  /** Names of the families that records of the current file name, by family key. */
  private readonly fileFamilies = new Map<string, string>();
  private waiting: Indicator[] = [];
  /**
   * True when `--family` selects the Unknown malware pack, which hunts the records without a
   * family whatever their file names.
   */
  private readonly selectsUnknown: boolean;

  /**
   * @param family the family that `--family` names.
   * @param add takes each indicator on, as the merge does.
   * @param warn takes the warning about a file whose records name other families.
   */
  constructor(
    readonly family: MalwareFamily,
    private readonly add: (indicator: Indicator) => void,
    private readonly warn: (issue: HuntpackIssue) => void,
  ) {
    const unknown: MalwareFamily = { name: UNKNOWN_FAMILY_NAME, aliases: [] };
    this.selectsUnknown = buildFamilyMatcher([family.name])(unknown);
  }

  /** Takes the next record's indicator, read from `file` in `format`. */
  accept(indicator: Indicator, file: string | undefined, format: FeedFormat | undefined): void {
    if (file !== this.file) {
      this.flush();
      this.file = file;
    }
    if (indicator.family) {
      for (const family of [indicator.family, ...(indicator.otherFamilies ?? [])]) {
        this.fileFamilies.set(familyKeyOf(family), family.name);
      }
      this.add(indicator);
    } else if (format?.startsWith('threatfox')) {
      // ThreatFox states the family of each row itself, so a row without one stays so.
      this.add(indicator);
    } else {
      this.waiting.push(indicator);
    }
  }

  /** Passes on the records of the current file that wait for a family. Call it after the last file too. */
  flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    const takesFamily = this.fileFamilies.size === 0 || this.selectsUnknown;
    if (waiting.length > 0 && !takesFamily) this.warn(this.notGivenIssue(waiting));
    for (const indicator of waiting) {
      if (takesFamily) {
        indicator.family = { ...this.family, aliases: [] };
        this.keys.add(indicatorKey(indicator));
      }
      this.add(indicator);
    }
    this.fileFamilies.clear();
  }

  /** Tells whether the indicator with this kind and value took the requested family. */
  took(indicator: Pick<Indicator, 'kind' | 'value'>): boolean {
    return this.keys.has(indicatorKey(indicator));
  }

  private notGivenIssue(waiting: readonly Indicator[]): HuntpackIssue {
    const names = [...this.fileFamilies.values()];
    const listed = names
      .slice(0, SHOWN_FAMILIES)
      .map((name) => quoteValue(name))
      .join(', ');
    const more = names.length > SHOWN_FAMILIES ? ` and ${names.length - SHOWN_FAMILIES} more` : '';
    const single = waiting.length === 1;
    const count = single ? '1 indicator' : `${waiting.length} indicators`;
    const [verb, them, keeps] = single
      ? ['names', 'it', 'It keeps']
      : ['name', 'them', 'They keep'];
    return {
      code: 'FAMILY_NOT_GIVEN',
      severity: 'warning',
      message:
        `${count} of this file ${verb} no family, and --family ${quoteValue(this.family.name)} ` +
        `does not name ${them}, because other records of the file name families of their own ` +
        `(${listed}${more}). ${keeps} no family, so the family filter leaves ${them} out. Build ` +
        `without --family to hunt ${them} in the "Unknown malware" pack.`,
      source: this.file === undefined ? undefined : { file: this.file },
    };
  }
}
