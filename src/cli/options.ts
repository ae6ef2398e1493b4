/** Option parsers shared by the commands. */

/** Collects a repeatable, comma-separated option (`--family a,b --family c`) into one list. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}
