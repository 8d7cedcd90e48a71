import { contentTerms } from '../answering/guardrails';

/** Words that point back into the conversation. */
const ANAPHORA = new Set([
  'it',
  'its',
  'they',
  'them',
  'their',
  'theirs',
  'this',
  'that',
  'these',
  'those',
  'he',
  'him',
  'his',
  'she',
  'her',
  'hers',
  'there',
  'one',
  'ones',
  'same',
  'also',
]);

/** Whether a question leans on what came before it ("and when does it leave?"). */
export function isFollowUp(question: string): boolean {
  const words = question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.some((w) => ANAPHORA.has(w)) || contentTerms(question).size < 3;
}

/**
 * Without a model: a follow-up question gets the content words of the previous standalone query it
 * lacks, so that retrieval looks for the same things. A question that stands alone is kept as it is.
 */
export function heuristicStandalone(question: string, previous: string | undefined): string {
  if (!previous || !isFollowUp(question)) return question;
  const have = contentTerms(question);
  const words = (previous.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => {
    const t = [...contentTerms(w)][0];
    return t !== undefined && !have.has(t);
  });
  const extra = [...new Set(words)].join(' ');
  return extra ? `${question} ${extra}` : question;
}

/**
 * A model's rewrite is used only if it looks like a question about this conversation: not empty,
 * not long, and most of its content words come from the conversation or the question.
 */
export function acceptableRewrite(
  rewrite: string,
  question: string,
  history: readonly string[],
): boolean {
  const text = rewrite.trim();
  if (!text || text.length > 500 || /\[\d+\]/.test(text)) return false;
  const known = new Set([
    ...contentTerms(question),
    ...history.flatMap((h) => [...contentTerms(h)]),
  ]);
  const terms = [...contentTerms(text)];
  if (terms.length === 0) return false;
  return terms.filter((t) => known.has(t)).length / terms.length >= 0.6;
}
