import type { Script } from './languages';

const TESTS: readonly [Script, RegExp][] = [
  ['latin', /\p{Script=Latin}/u],
  ['cyrillic', /\p{Script=Cyrillic}/u],
  ['cjk', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc\uff70]/u],
  ['arabic', /\p{Script=Arabic}/u],
  ['devanagari', /\p{Script=Devanagari}/u],
  ['thai', /\p{Script=Thai}/u],
  ['greek', /\p{Script=Greek}/u],
  ['hangul', /\p{Script=Hangul}/u],
  ['hebrew', /\p{Script=Hebrew}/u],
  ['armenian', /\p{Script=Armenian}/u],
  ['bengali', /\p{Script=Bengali}/u],
  ['tamil', /\p{Script=Tamil}/u],
  ['lao', /\p{Script=Lao}/u],
  ['khmer', /\p{Script=Khmer}/u],
  ['myanmar', /\p{Script=Myanmar}/u],
];

const cache = new Map<number, Script | 'mark' | 'digit'>();

/** The script of one code point; combining marks and digits are told apart, they join a neighbour. */
export function classify(cp: number): Script | 'mark' | 'digit' {
  if (cp < 0x80) {
    if (cp >= 0x30 && cp <= 0x39) return 'digit';
    return (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a ? 'latin' : 'other';
  }
  let s = cache.get(cp);
  if (s === undefined) {
    const ch = String.fromCodePoint(cp);
    s = /\p{M}|[\u200c\u200d]/u.test(ch)
      ? 'mark'
      : /\p{N}/u.test(ch)
        ? 'digit'
        : (TESTS.find(([, re]) => re.test(ch))?.[0] ?? 'other');
    cache.set(cp, s);
  }
  return s;
}

export interface ScriptRun {
  /** UTF-16 offsets in the text. */
  start: number;
  end: number;
  script: Script;
}

/** Scripts whose runs are segmented into words (no spaces between them). */
const spaceless = (s: Script) =>
  s === 'cjk' || s === 'thai' || s === 'lao' || s === 'khmer' || s === 'myanmar';

/**
 * Splits a word (a run of letters, marks and digits) into runs of one script. Marks stay with the
 * character before them; digits stay in a word of a spaced script ("covid19", "2020年" apart).
 */
export function scriptRuns(text: string, start: number, end: number): ScriptRun[] {
  const runs: ScriptRun[] = [];
  let cur: ScriptRun | undefined;
  let digitsOnly = false;
  for (let i = start; i < end;) {
    const cp = text.codePointAt(i)!;
    const next = i + (cp > 0xffff ? 2 : 1);
    const c = classify(cp);
    if (cur && c === 'mark') {
      cur.end = next;
    } else if (c === 'digit' || c === 'mark') {
      if (cur && !spaceless(cur.script)) cur.end = next;
      else {
        cur = { start: i, end: next, script: 'other' };
        runs.push(cur);
        digitsOnly = true;
      }
    } else if (cur && cur.script === c) {
      cur.end = next;
      digitsOnly = false;
    } else if (cur && digitsOnly && !spaceless(c)) {
      // Digits before letters of a spaced script belong to the word ("3d", "1st").
      cur.script = c;
      cur.end = next;
      digitsOnly = false;
    } else {
      cur = { start: i, end: next, script: c };
      runs.push(cur);
      digitsOnly = false;
    }
    i = next;
  }
  return runs;
}

/** The script most of a text's letters are in (sampled), 'other' when it has none. */
export function dominantScript(text: string, sample = 2000): Script {
  const counts = new Map<Script, number>();
  let seen = 0;
  for (const ch of text) {
    const c = classify(ch.codePointAt(0)!);
    if (c === 'mark' || c === 'digit' || c === 'other') continue;
    counts.set(c, (counts.get(c) ?? 0) + 1);
    if (++seen >= sample) break;
  }
  let best: Script = 'other';
  let n = 0;
  for (const [s, k] of counts)
    if (k > n) {
      best = s;
      n = k;
    }
  return best;
}

/** True when the text has kana (Japanese rather than Chinese, for Han text). */
export const hasKana = (text: string) => /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text);
