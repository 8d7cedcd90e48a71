/** Short made-up questions (6-13 words of a small vocabulary), the same for every run. */
import { SeededRandom } from '../../test/support/seeded-random';

const WORDS =
  'when where how many which what train river garden kitchen doctor school music winter ocean forest market station bridge village library policy receipt refund travel ticket night morning city leave cross open close price time'.split(
    ' ',
  );

export function shortQuestions(n: number, seed = 7): string[] {
  const rnd = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const len = 6 + Math.floor(rnd.next() * 8);
    return (
      Array.from({ length: len }, () => WORDS[Math.floor(rnd.next() * WORDS.length)]!).join(' ') +
      '?'
    );
  });
}
