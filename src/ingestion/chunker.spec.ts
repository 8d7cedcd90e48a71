import { Chunk, STEP_CHARACTERS, chunkText, chunkTextInSteps } from './chunker';
import { TokenCounter, estimateTokenCounter } from '../engines/token-counter';
import { sectionsFromHeadings } from './parsers/structure-builder';
import type { DocumentStructure } from './parsers/structured-document';

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
    expect(sut[0]).toMatchObject({
      ordinal: 0,
      text: 'Hello world. This is short.',
      start: 2,
      end: 29,
      tokenCount: 7,
    });
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
    const para = (p: number) =>
      Array.from({ length: 3 }, (_, i) => `Para ${p} line ${i}.`).join(' ');
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

/** A text of headings ('#' lines, level by count) and paragraphs, with its sections. */
function outline(lines: string[]): { text: string; structure: DocumentStructure } {
  const text = lines.join('\n\n');
  const headings = [];
  let at = 0;
  for (const line of lines) {
    const level = line.match(/^#+/)?.[0].length;
    if (level)
      headings.push({ start: at, end: at + line.length, level, title: line.slice(level + 1) });
    at += line.length + 2;
  }
  return { text, structure: { sections: sectionsFromHeadings(headings, text.length), pages: [] } };
}

describe('chunkText with structure', () => {
  const sentences = (topic: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${topic} fact ${i} holds.`).join(' ');

  it('never lets a chunk straddle a heading, and names each chunk by its section path', () => {
    const { text, structure } = outline([
      'Preface words here.',
      '# Methods',
      '## Training',
      sentences('Train', 6),
      '## Data',
      'Data is small.',
      '# Results',
      sentences('Result', 2),
    ]);
    const sut = chunkText(text, words, { size: 60, overlap: 0, maxTokens: 128 }, structure);
    expect(sut.map((c) => [c.sectionPath, c.text.split('\n')[0]])).toEqual([
      [null, 'Preface words here.'],
      // "# Methods" has no text of its own: it goes with the section after it.
      ['Methods > Training', '# Methods'],
      ['Methods > Data', '## Data'],
      ['Results', '# Results'],
    ]);
    expectExactOffsets(text, sut);
    expect(sut.map((c) => c.ordinal)).toEqual([0, 1, 2, 3]);
  });

  it('splits a long section by size but never carries overlap across a heading', () => {
    const { text, structure } = outline([
      '# A',
      sentences('Alpha', 12),
      '# B',
      sentences('Beta', 12),
    ]);
    const sut = chunkText(text, words, { size: 16, overlap: 6, maxTokens: 128 }, structure);
    const inA = sut.filter((c) => c.sectionPath === 'A');
    const inB = sut.filter((c) => c.sectionPath === 'B');
    expect(inA.length).toBeGreaterThan(2);
    expect(inB.length).toBeGreaterThan(2);
    for (const c of inA) expect(c.text).not.toMatch(/Beta|# B/);
    for (const c of inB) expect(c.text).not.toMatch(/Alpha/);
    expect(inA[1]!.start).toBeLessThan(inA[0]!.end); // overlap within a section
    for (const c of sut) expect(c.tokenCount).toBeLessThanOrEqual(16);
    expectExactOffsets(text, sut);
  });

  it('gives each chunk the pages its text is on, skipping empty pages', () => {
    const text = 'Page one text.\n\nPage two goes on.\n\nPage four text.';
    const pages = [
      { page: 1, start: 0, end: 14 },
      { page: 2, start: 16, end: 33 },
      { page: 3, start: 33, end: 33 },
      { page: 4, start: 35, end: 50 },
    ];
    const one = chunkText(
      text,
      words,
      { size: 100, overlap: 0, maxTokens: 128 },
      { sections: [], pages },
    );
    expect(one.map((c) => [c.pageStart, c.pageEnd])).toEqual([[1, 4]]);
    const each = chunkText(
      text,
      words,
      { size: 6, overlap: 0, maxTokens: 128 },
      { sections: [], pages },
    );
    expect(each.map((c) => [c.text, c.pageStart, c.pageEnd])).toEqual([
      ['Page one text.', 1, 1],
      ['Page two goes on.', 2, 2],
      ['Page four text.', 4, 4],
    ]);
  });

  it('repeats no records between chunks', () => {
    const text = Array.from({ length: 6 }, (_, i) => `id: ${i}\nname: row ${i}`).join('\n\n');
    const sut = chunkText(
      text,
      words,
      { size: 14, overlap: 6, maxTokens: 128 },
      { sections: [], pages: [], records: true },
    );
    expect(sut.length).toBeGreaterThan(1);
    for (let k = 1; k < sut.length; k++) expect(sut[k]!.start).toBeGreaterThan(sut[k - 1]!.end);
    expect(sut.map((c) => c.text).join('\n\n')).toBe(text);
  });

  it('has null section and pages without structure', () => {
    expect(
      chunkText('Just text.', words, { size: 10, overlap: 0, maxTokens: 10 })[0],
    ).toMatchObject({ sectionPath: null, pageStart: null, pageEnd: null });
  });
});

describe('chunkTextInSteps (large texts, a window at a time)', () => {
  const options = { size: 40, overlap: 6, maxTokens: 128 };
  const paragraph = (i: number) =>
    `Paragraph ${i} starts here. It has a second sentence about topic ${i}. And a third one to end it.`;

  it('gives the same chunks as chunkText for a text shorter than a step', () => {
    const text = Array.from({ length: 30 }, (_, i) => paragraph(i)).join('\n\n');
    expect(text.length).toBeLessThan(STEP_CHARACTERS);
    expect([...chunkTextInSteps(text, words, options)].flat()).toEqual(
      chunkText(text, words, options),
    );
  });

  it('cuts a text of several steps at paragraph breaks, with exact offsets, numbered ordinals and no chunk over the limit', () => {
    const text = Array.from({ length: 3000 }, (_, i) => paragraph(i)).join('\n\n');
    expect(text.length).toBeGreaterThan(3 * STEP_CHARACTERS);
    const steps = [...chunkTextInSteps(text, words, options)];
    expect(steps.length).toBeGreaterThanOrEqual(4);
    const chunks = steps.flat();
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    expectExactOffsets(text, chunks);
    for (const c of chunks) expect(c.tokenCount).toBeLessThanOrEqual(40);
    // Every paragraph is covered; each step ends where a paragraph ends.
    for (const step of steps.slice(0, -1))
      expect(step[step.length - 1]!.text.endsWith('to end it.')).toBe(true);
    for (let i = 0; i < 3000; i += 499)
      expect(chunks.some((c) => c.text.includes(`Paragraph ${i} starts`))).toBe(true);
  });

  it('cuts a long text with no paragraph breaks at a space, never inside a word', () => {
    const text = Array.from({ length: 30_000 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkText(text, words, { size: 50, overlap: 0, maxTokens: 128 });
    expectExactOffsets(text, chunks);
    const seen = chunks.flatMap((c) => c.text.split(' '));
    expect(seen).toEqual(text.split(' '));
  });
});
