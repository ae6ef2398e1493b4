/** Reads the keyword list out of Microsoft's Kusto parser. */
import { loadKusto } from './kusto-bridge.js';

/** Returns the text of every keyword the loaded Kusto parser knows, sorted and without repeats. */
export function listKustoKeywords(): string[] {
  const { SyntaxKind, SyntaxFacts } = loadKusto().Syntax;
  const keywords = new Set<string>();
  for (const kind of Object.values(SyntaxKind)) {
    if (typeof kind === 'number' && SyntaxFacts.IsKeyword(kind)) {
      keywords.add(SyntaxFacts.GetText(kind));
    }
  }
  return [...keywords].sort();
}
