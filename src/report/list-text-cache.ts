/**
 * Texts made from the frozen lists that indicators share. Feed readers give every record with
 * the same tags, references or reporters one frozen list, so a pack has far fewer distinct lists
 * than indicators, and each text is made once.
 */
export class ListTextCache {
  private readonly texts = new WeakMap<readonly string[], string>();

  constructor(private readonly makeText: (list: readonly string[]) => string) {}

  /** Returns the text of `list`, made once for a frozen list and each time for any other. */
  get(list: readonly string[]): string {
    // Only a frozen list cannot change after its text is made.
    if (!Object.isFrozen(list)) return this.makeText(list);
    let text = this.texts.get(list);
    if (text === undefined) {
      text = this.makeText(list);
      this.texts.set(list, text);
    }
    return text;
  }
}
