/** Helpers shared by both backends for next-token letter scoring. */

/** A GBNF grammar that allows exactly one of the given letters. */
export function letterGrammar(letters: string[]): string {
  if (letters.length === 0) throw new Error('no letters to score');
  for (const l of letters) {
    if (!/^[A-Z]$/.test(l)) throw new Error(`"${l}" is not a single option letter A–Z`);
  }
  return `root ::= [${letters.join('')}]`;
}

/**
 * Probabilities for every allowed letter from (token, probability) pairs: other tokens are
 * dropped, a letter never listed gets 0, and the rest is renormalised to sum to 1.
 */
export function normaliseLetterProbs(
  letters: string[],
  entries: { token: string; prob: number }[],
): Record<string, number> {
  const probs: Record<string, number> = Object.fromEntries(letters.map((l) => [l, 0]));
  for (const { token, prob } of entries) {
    const key = token.trim();
    if (key in probs && Number.isFinite(prob)) probs[key] += prob;
  }
  const total = Object.values(probs).reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('the engine returned no probability for any allowed letter');
  for (const l of letters) probs[l] /= total;
  return probs;
}

/** A GBNF grammar for any subset of the letters, in order: `A`, `AC`, `BDE`… (none at all is
 * possible too, and reads as unparsed). */
export function orderedSetGrammar(letters: string[]): string {
  if (letters.length === 0) throw new Error('no letters to choose from');
  for (const l of letters) {
    if (!/^[A-Z]$/.test(l)) throw new Error(`"${l}" is not a single option letter A–Z`);
  }
  const optional = letters.map((l) => `"${l}"?`).join(' ');
  return `root ::= ${optional}`;
}
