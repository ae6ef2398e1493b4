/**
 * Names the attributes of one MISP event whose types huntpack does not hunt, in one info issue,
 * so that an analyst can see in the build issues what the `unsupported-type` count left out.
 */
import { quoteValue, type HuntpackIssue, type SourceLocation } from '../../errors.js';
import { defangText } from '../../indicators/defang-text.js';

/** Maximum number of attributes named per event. The rest count as "and N more". */
const MAX_UNSUPPORTED_SHOWN = 20;

/** Maximum length of a value shown in the issue, because yara rules and attachments are long. */
const MAX_VALUE_LENGTH = 60;

/** The attributes of unsupported types met in one event. */
export class UnsupportedAttributes {
  private count = 0;
  private readonly countByType = new Map<string, number>();
  private readonly firstAttributes: Array<{ type: string; value: string }> = [];

  /** Records one attribute of a type that huntpack does not read. */
  add(type: string, value: string): void {
    this.count++;
    this.countByType.set(type, (this.countByType.get(type) ?? 0) + 1);
    if (this.firstAttributes.length < MAX_UNSUPPORTED_SHOWN) {
      this.firstAttributes.push({ type, value });
    }
  }

  /** Returns the info issue that names the attributes, or undefined when there were none. */
  toIssue(source: SourceLocation): HuntpackIssue | undefined {
    if (this.count === 0) return undefined;
    const types = [...this.countByType]
      .sort(([typeA, countA], [typeB, countB]) => countB - countA || typeA.localeCompare(typeB))
      .map(([type, count]) => `${type} ${count}`);
    const named = this.firstAttributes.map(
      ({ type, value }) => `${type} ${quoteValue(defangText(value), MAX_VALUE_LENGTH)}`,
    );
    const more = this.count - this.firstAttributes.length;
    if (more > 0) named.push(`and ${more} more`);
    const noun = this.count === 1 ? 'attribute' : 'attributes';
    return {
      code: 'MISP_UNSUPPORTED_TYPE',
      severity: 'info',
      message:
        `Left out ${this.count} ${noun} of types that huntpack does not hunt, counted as ` +
        `unsupported-type (${types.join(', ')}): ${named.join(', ')}.`,
      source,
    };
  }
}
