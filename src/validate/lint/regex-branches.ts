/**
 * Reads one branch of a `matches regex` pattern that names no host, such as `.*` in
 * `^(evil\.com|.*)$`: whether it matches one fixed text only, and a sample value it matches.
 */

/**
 * Returns whether a branch matches one fixed text: anchored at both ends, with letters, digits
 * and escaped punctuation between, and no `.`, class, group or quantifier.
 */
export function isFixedText(branch: string): boolean {
  return /^\^(?:[A-Za-z0-9_\-/:@,=%&~'"# ]|\\[^A-Za-z0-9])*\$$/.test(branch);
}

/**
 * Returns a value that a loose branch matches besides `value`, the host that the pattern's
 * other branches name, or undefined when none of the tried values passes. The tries are
 * example.net and example, names that RFC 2606 reserves, and the branch with its `.`, classes
 * and quantifiers written out once.
 */
export function looseBranchExample(
  branch: string,
  value: string,
  ignoreCase: boolean,
): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(branch.replace(/\(\?P</g, '(?<'), ignoreCase ? 'i' : '');
  } catch {
    // A pattern that only RE2 reads, such as one with (?i: inside, gets no example.
    return undefined;
  }
  const candidates = ['example.net', 'example', sampleOf(branch)];
  return candidates.find(
    (candidate) => candidate !== value && candidate !== '' && regex.test(candidate),
  );
}

/**
 * Returns one value that a branch without groups may match, written with each `.`, `\w` or
 * `\S` as "a", `\d` as "1", a class as its first character, each quantified item once, and no
 * anchors.
 */
function sampleOf(branch: string): string {
  const tokens = branch.match(/\[\^?\]?(?:\\.|[^\]])*\]|\\.|\{\d*,?\d*\}|./g) ?? [];
  let sample = '';
  for (const token of tokens) {
    if (token === '^' || token === '$' || /^[*+?]$|^\{/.test(token)) continue;
    if (token === '.' || token === '\\w' || token === '\\S') sample += 'a';
    else if (token === '\\d') sample += '1';
    else if (token.startsWith('[')) sample += classSample(token);
    else if (token.startsWith('\\')) sample += /[A-Za-z0-9]/.test(token[1] ?? '') ? '' : token[1];
    else sample += token;
  }
  return sample;
}

/** Returns a character that a class such as `[a-z.]` or `[^/]` matches. */
function classSample(token: string): string {
  if (token.startsWith('[^')) return 'a';
  const first = token.slice(1).match(/^\\(.)|^./)?.[0] ?? 'a';
  return first.startsWith('\\') ? first.slice(1) : first;
}
