/** XQuAD English (SQuAD v1.1 layout): paragraphs, questions and the sentences of the paragraphs. */
import { readFileSync } from 'node:fs';

interface SquadFile {
  data: {
    title: string;
    paragraphs: { context: string; qas: { id: string; question: string }[] }[];
  }[];
}

export interface XquadParagraph {
  /** 0-based position in the file. */
  index: number;
  title: string;
  context: string;
}

export interface XquadQuestion {
  id: string;
  question: string;
  paragraphIndex: number;
}

export interface Xquad {
  paragraphs: XquadParagraph[];
  questions: XquadQuestion[];
}

export function loadXquad(file: string): Xquad {
  const squad = JSON.parse(readFileSync(file, 'utf8')) as SquadFile;
  const paragraphs: XquadParagraph[] = [];
  const questions: XquadQuestion[] = [];
  for (const article of squad.data) {
    for (const p of article.paragraphs) {
      const index = paragraphs.length;
      paragraphs.push({ index, title: article.title, context: p.context });
      for (const qa of p.qas)
        questions.push({ id: qa.id, question: qa.question, paragraphIndex: index });
    }
  }
  return { paragraphs, questions };
}

// A sentence ends at . ! ? (and closing quotes/brackets) followed by white space: the chunker's rule.
const SENTENCE_END = /[.!?]+["'”’)\]]*(?=\s)/g;

/** Sentences of a text, trimmed; fragments shorter than minChars (e.g. after "U.S.") are dropped. */
export function sentences(text: string, minChars = 25, maxChars = 600): string[] {
  const out: string[] = [];
  let last = 0;
  const push = (s: string) => {
    const t = s.trim();
    if (t.length >= minChars && t.length <= maxChars) out.push(t);
  };
  for (const m of text.matchAll(SENTENCE_END)) {
    const stop = m.index + m[0].length;
    push(text.slice(last, stop));
    last = stop;
  }
  push(text.slice(last));
  return out;
}
