/**
 * A small typed view of Microsoft's Kusto parser (`@kusto/language-service-next`), which is a
 * Bridge.NET translation of the C# `Kusto.Language` library. Its own .d.ts declares the whole
 * library; only the few members huntpack calls are typed here.
 *
 * Loading defines `globalThis.Kusto` and `globalThis.Bridge` and takes seconds (0.9 s on an
 * idle 2-CPU machine under Node 20), so {@link loadKusto} loads the bridge once per process.
 */
import { createRequire } from 'node:module';
import { InternalError } from '../errors.js';

/** .NET `IReadOnlyList<T>` as the bridge exposes it. */
export interface KustoList<T> {
  Count: number;
  getItem(index: number): T;
}

export interface KustoDiagnosticObject {
  /** `Error`, `Warning`, `Suggestion` or `Information`. */
  Severity: string;
  Code: string;
  Message: string;
  Start: number;
  Length: number;
}

export interface KustoSyntaxToken {
  Kind: number;
  /** Token text without leading trivia (white space and comments). */
  Text: string;
  /** White space and comments before the token. */
  Trivia: string;
  TextStart: number;
  IsLiteral: boolean;
  /** Decoded text of a literal token, such as the value of a string literal. */
  ValueText: string;
  /** Decoded value of a literal token as a bridge object (a boxed Date, a TimeSpan with ticks). */
  Value: unknown;
  GetNextToken(includeZeroWidthTokens?: boolean): KustoSyntaxToken | null;
}

export interface KustoSyntaxNode {
  GetFirstToken(includeZeroWidthTokens?: boolean): KustoSyntaxToken | null;
}

export interface KustoCodeObject {
  Syntax: KustoSyntaxNode;
  GetDiagnostics(): KustoList<KustoDiagnosticObject>;
}

export type KustoGlobalState = { readonly __brand: 'KustoGlobalState' };
export type KustoSymbol = { readonly __brand: 'KustoSymbol' };

/** The members of `globalThis.Kusto.Language` that huntpack uses. */
export interface KustoLanguage {
  KustoCode: {
    Parse(text: string, globals: KustoGlobalState): KustoCodeObject;
    ParseAndAnalyze(text: string, globals: KustoGlobalState): KustoCodeObject;
  };
  Editor: {
    KustoCodeService: {
      ctor: new (code: KustoCodeObject) => {
        /** Runs the parser's analyzers, such as the warning for a join without a kind. */
        GetAnalyzerDiagnostics(waitForAnalysis: boolean): KustoList<KustoDiagnosticObject>;
      };
    };
  };
  GlobalState: {
    Default: KustoGlobalState & { WithDatabase(database: KustoSymbol): KustoGlobalState };
  };
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: null) => KustoSymbol };
    FunctionSymbol: {
      $ctor16: new (
        name: string,
        parameterList: string,
        body: string,
        description: null,
      ) => KustoSymbol;
    };
    DatabaseSymbol: {
      $ctor3: new (
        name: string,
        alternateName: null,
        members: KustoSymbol[],
        isExternal: boolean,
      ) => KustoSymbol;
    };
  };
  Syntax: {
    SyntaxKind: Record<string, number>;
    SyntaxFacts: { IsKeyword(kind: number): boolean; GetText(kind: number): string };
  };
}

let language: KustoLanguage | undefined;

/** Milliseconds the first {@link loadKusto} call spent loading the bridge; 0 before loading. */
export let kustoLoadMilliseconds = 0;

/**
 * Loads the Kusto parser on first use and returns `Kusto.Language`.
 *
 * @throws InternalError when the package is missing or does not define `Kusto.Language`.
 */
export function loadKusto(): KustoLanguage {
  if (language) return language;

  const started = performance.now();
  const require = createRequire(import.meta.url);
  try {
    // bridge.js defines the Bridge.NET runtime that the Kusto bundle expects as a global. The
    // package's minified files are the same code; loaded, they take about 60 MiB less memory.
    require('@kusto/language-service-next/bridge.min.js');
    require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  } catch (error) {
    throw new InternalError(
      'KUSTO_PARSER_MISSING',
      'Failed to load the Kusto parser from @kusto/language-service-next. Run `npm install`.',
      { cause: error },
    );
  }
  const loaded = (globalThis as { Kusto?: { Language?: KustoLanguage } }).Kusto?.Language;
  if (!loaded) {
    throw new InternalError(
      'KUSTO_PARSER_MISSING',
      '@kusto/language-service-next loaded but did not define Kusto.Language.',
    );
  }
  language = loaded;
  kustoLoadMilliseconds = performance.now() - started;
  return language;
}

/** Copies a bridge list into an array. */
export function toArray<T>(list: KustoList<T>): T[] {
  const items: T[] = [];
  for (let index = 0; index < list.Count; index++) items.push(list.getItem(index));
  return items;
}
