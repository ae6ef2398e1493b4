/**
 * Reads queries back through Microsoft's Kusto parser, so escaping tests compare what the real
 * parser decodes with the value that went in.
 */
import { loadKusto, toArray, type KustoSyntaxToken } from '../../../src/validate/kusto-bridge.js';

export interface ParsedToken {
  /** Name of the token's `SyntaxKind`, such as `StringLiteralToken`. */
  kind: string;
  text: string;
  valueText: string;
  value: unknown;
}

let kindNames: Map<number, string> | undefined;

function getKindName(kind: number): string {
  if (!kindNames) {
    kindNames = new Map();
    for (const [name, value] of Object.entries(loadKusto().Syntax.SyntaxKind)) {
      if (typeof value === 'number') kindNames.set(value, name);
    }
  }
  return kindNames.get(kind) ?? `Kind${kind}`;
}

/** Parses `query` without schemas and returns its tokens, leaving out the end-of-text token. */
export function parseTokens(query: string): ParsedToken[] {
  const kusto = loadKusto();
  const code = kusto.KustoCode.Parse(query, kusto.GlobalState.Default);
  const tokens: ParsedToken[] = [];
  let token: KustoSyntaxToken | null = code.Syntax.GetFirstToken(false);
  while (token) {
    const kind = getKindName(token.Kind);
    if (kind !== 'EndOfTextToken') {
      tokens.push({ kind, text: token.Text, valueText: token.ValueText, value: token.Value });
    }
    token = token.GetNextToken(false);
  }
  return tokens;
}

/** Returns the messages of every diagnostic the parser and analyzer report without schemas. */
export function analyzeWithoutSchemas(query: string): string[] {
  const kusto = loadKusto();
  const code = kusto.KustoCode.ParseAndAnalyze(query, kusto.GlobalState.Default);
  return toArray(code.GetDiagnostics()).map((item) => `${item.Code}: ${item.Message}`);
}

/** Returns the kinds of a token list, for asserting a query's structure in one comparison. */
export function kindsOf(tokens: readonly ParsedToken[]): string[] {
  return tokens.map((token) => token.kind);
}
