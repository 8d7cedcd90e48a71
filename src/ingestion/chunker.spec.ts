import { Chunk, TokenCounter, chunkText, estimateTokenCounter } from './chunker';

/** One token a word plus two special tokens, like a BERT tokenizer on plain words. */
const words: TokenCounter = { name: 'words', count: (t) => (t.match(/\S+/g)?.length ?? 0) + 2 };

function expectExactOffsets(text: string, chunks: Chunk[]) {
  for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
}

describe('chunkText', () => {
  it('keeps a short text in one chunk with exact offsets', () => {
    const text = '  Hello world. This is short.\n';
    const sut = chunkText(text, words, { size: 50, overlap: 5, maxTokens: 128 });
    expect(sut).toHaveLength(1);
    expect(sut[0]).toMatchObject({ ordinal: 0, text: 'Hello world. This is short.', start: 2, end: 29, tokenCount: 7 });
  });

  it('never exceeds the token limit and ends chunks at sentence boundaries', () => {
    const sentence = (i: number) => `Sentence number ${i} has exactly seven words.`;
    const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
    const sut = chunkText(text, words, { size: 30, overlap: 0, maxTokens: 128 });
    expect(sut.length).toBeGreaterThan(5);
    for (const c of sut) {
      expect(c.tokenCount).toBeLessThanOrEqual(30);
      expect(words.count(c.text)).toBe(c.tokenCount);
      expect(c.text.endsWith('words.')).toBe(true);
      expect(c.text.startsWith('Sentence')).toBe(true);
    }
    expectExactOffsets(text, sut);
  });

  it('clamps the size to the model maximum', () => {
    const text = Array.from({ length: 100 }, (_, i) => `Word${i} here.`).join(' ');
    const sut = chunkText(text, words, { size: 1000, overlap: 0, maxTokens: 20 });
    for (const c of sut) expect(c.tokenCount).toBeLessThanOrEqual(20);
  });

  it('repeats trailing sentences as overlap and always moves forward', () => {
    const text = Array.from({ length: 12 }, (_, i) => `Fact ${i} is true.`).join(' ');
    const sut = chunkText(text, words, { size: 14, overlap: 6, maxTokens: 128 });
    expect(sut.length).toBeGreaterThan(2);
    for (let k = 1; k < sut.length; k++) {
      expect(sut[k]!.start).toBeLessThan(sut[k - 1]!.end); // overlapping
      expect(sut[k]!.start).toBeGreaterThan(sut[k - 1]!.start); // progressing
    }
    expect(sut.at(-1)!.text.endsWith('Fact 11 is true.')).toBe(true);
  });

  it('prefers paragraph boundaries when a chunk is well filled', () => {
    const para = (p: number) => Array.from({ length: 3 }, (_, i) => `Para ${p} line ${i}.`).join(' ');
    const text = [para(1), para(2), para(3)].join('\n\n');
    const sut = chunkText(text, words, { size: 25, overlap: 0, maxTokens: 128 });
    // Each paragraph is 12 words; two fit within 25 (24+2 special > 25 does not), so each chunk is one paragraph.
    expect(sut.map((c) => c.text)).toEqual([para(1), para(2), para(3)]);
  });

  it('splits a sentence longer than the limit by words, then a giant word by characters', () => {
    const long = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    const giant = 'x'.repeat(300);
    const text = `${long}. ${giant}`;
    const sut = chunkText(text, estimateTokenCounter, { size: 20, overlap: 0, maxTokens: 20 });
    for (const c of sut) expect(estimateTokenCounter.count(c.text)).toBeLessThanOrEqual(20);
    expectExactOffsets(text, sut);
    expect(sut.map((c) => c.text).join('')).toContain('x'.repeat(40));
    const covered = sut.reduce((n, c) => n + (c.end - c.start), 0);
    expect(covered).toBeGreaterThanOrEqual(text.replace(/\s/g, '').length);
  });

  it('returns no chunks for blank text', () => {
    expect(chunkText(' \n\n \t', words, { size: 10, overlap: 0, maxTokens: 10 })).toEqual([]);
  });
});
