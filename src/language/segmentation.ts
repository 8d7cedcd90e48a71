import type { Script } from './languages';
import { classify } from './script';

export interface Segment {
  /** UTF-16 offsets in the run. */
  start: number;
  end: number;
  text: string;
}

/**
 * How runs of a script written without spaces become terms: 'words' by Intl.Segmenter (ICU's
 * dictionaries), or 'bigrams', overlapping pairs of characters (a character and its combining
 * marks count as one). Chosen per script by bench:languages (see bench/RESULTS.md).
 */
export type Segmentation = 'words' | 'bigrams';

export const SEGMENTATION: Readonly<Record<string, Segmentation>> = {
  cjk: 'bigrams',
  thai: 'bigrams',
  lao: 'bigrams',
  khmer: 'bigrams',
  myanmar: 'bigrams',
};

const LOCALE: Partial<Record<Script, string>> = {
  thai: 'th',
  lao: 'lo',
  khmer: 'km',
  myanmar: 'my',
};

const segmenters = new Map<string, Intl.Segmenter>();

function segmenter(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (!s) {
    s = new Intl.Segmenter(locale, { granularity: 'word' });
    segmenters.set(locale, s);
  }
  return s;
}

/** A spaceless run (one script) cut into terms with their offsets in the run. */
export function segmentRun(
  run: string,
  script: Script,
  mode: Segmentation = SEGMENTATION[script] ?? 'words',
): Segment[] {
  return mode === 'bigrams'
    ? bigrams(run)
    : words(run, LOCALE[script] ?? (script === 'cjk' ? 'ja' : 'und'));
}

function words(run: string, locale: string): Segment[] {
  const out: Segment[] = [];
  for (const s of segmenter(locale).segment(run)) {
    if (!s.isWordLike) continue;
    out.push({ start: s.index, end: s.index + s.segment.length, text: s.segment });
  }
  return out;
}

/** Overlapping pairs of characters (a base character with the marks after it); one alone as is. */
export function bigrams(run: string): Segment[] {
  const units: { start: number; end: number }[] = [];
  for (let i = 0; i < run.length;) {
    const cp = run.codePointAt(i)!;
    const next = i + (cp > 0xffff ? 2 : 1);
    const last = units[units.length - 1];
    if (last && classify(cp) === 'mark') last.end = next;
    else units.push({ start: i, end: next });
    i = next;
  }
  if (units.length === 1) return [{ ...units[0]!, text: run }];
  const out: Segment[] = [];
  for (let k = 0; k + 1 < units.length; k++) {
    const start = units[k]!.start;
    const end = units[k + 1]!.end;
    out.push({ start, end, text: run.slice(start, end) });
  }
  return out;
}
