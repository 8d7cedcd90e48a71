import type { TokenCounter } from '../engines/token-counter';
import { chunkText } from './chunker';
import { StructureBuilder } from './parsers/structure-builder';

/** One token a word plus two special tokens, like a BERT tokenizer on plain words. */
const words: TokenCounter = { name: 'words', count: (t) => (t.match(/\S+/g)?.length ?? 0) + 2 };

function tableDocument(rows: number) {
  const builder = new StructureBuilder();
  builder.paragraph('Quarterly figures of the three plants follow.');
  builder.table([
    ['Plant', 'Quarter', 'Output. Tonnes'],
    ...Array.from({ length: rows }, (_, i) => [
      `Plant ${i}`,
      `Q${(i % 4) + 1}. Spring`,
      `${100 + i} t. Steady`,
    ]),
  ]);
  builder.paragraph('That is all for this report.');
  return builder.build();
}

describe('chunkText with tables', () => {
  it('repeats the header row at the start of every chunk that starts inside the table', () => {
    const doc = tableDocument(30);
    const sut = chunkText(doc.text, words, { size: 40, overlap: 0, maxTokens: 128 }, doc);
    const inTable = sut.filter(
      (c) => c.start > doc.tables![0]!.start && c.start < doc.tables![0]!.end,
    );
    expect(inTable.length).toBeGreaterThan(2);
    for (const c of inTable) {
      expect(c.text.startsWith('Plant | Quarter | Output. Tonnes\n')).toBe(true);
      expect(c.headerLength).toBe('Plant | Quarter | Output. Tonnes\n'.length);
      // The rest is the document's own text at the chunk's offsets.
      expect(c.text.slice(c.headerLength)).toBe(doc.text.slice(c.start, c.end));
      expect(c.tokenCount).toBeLessThanOrEqual(40);
      expect(words.count(c.text)).toBe(c.tokenCount);
    }
    // The first chunk holds the header itself and repeats nothing.
    expect(sut[0]!.headerLength).toBe(0);
    expect(sut[0]!.text).toContain('Plant | Quarter | Output. Tonnes');
  });

  it('never splits a row between chunks, although its cells hold sentence ends', () => {
    const doc = tableDocument(30);
    const sut = chunkText(doc.text, words, { size: 40, overlap: 8, maxTokens: 128 }, doc);
    const rows = doc.text.slice(doc.tables![0]!.start, doc.tables![0]!.end).split('\n\n').slice(1);
    for (const row of rows) {
      const holding = sut.filter((c) => c.text.includes(row));
      expect(holding.length).toBeGreaterThan(0);
    }
    // Every chunk ends at the end of a row or of the text around the table, never inside a row.
    for (const c of sut) {
      const body = doc.text.slice(c.start, c.end);
      const last = body.split('\n\n').at(-1)!;
      expect([...rows, 'That is all for this report.', 'Plant | Quarter | Output. Tonnes']).toEqual(
        expect.arrayContaining([last]),
      );
    }
  });

  it('splits a row longer than a chunk, as any over-long paragraph', () => {
    const builder = new StructureBuilder();
    builder.table([
      ['Key', 'Value'],
      ['long', Array.from({ length: 60 }, () => 'word').join(' ')],
    ]);
    const doc = builder.build();
    const sut = chunkText(doc.text, words, { size: 20, overlap: 0, maxTokens: 128 }, doc);
    expect(sut.length).toBeGreaterThan(2);
    for (const c of sut) expect(c.tokenCount).toBeLessThanOrEqual(20);
  });

  it('gives chunks of OCR-read pages their confidence and text-layer chunks null', () => {
    const builder = new StructureBuilder();
    builder.page(1);
    builder.paragraph('A page with a text layer.');
    builder.page(2, 88);
    builder.paragraph('A scanned page read by OCR.');
    builder.page(3, 70);
    builder.paragraph('Another scanned page, read less surely.');
    const doc = builder.build();
    const one = chunkText(doc.text, words, { size: 200, overlap: 0, maxTokens: 256 }, doc);
    expect(one).toHaveLength(1);
    // Weighted by characters: page 2 has 27, page 3 has 39 (separators belong to neither page).
    expect(one[0]!.ocrConfidence).toBeCloseTo((27 * 88 + 39 * 70) / 66, 1);
    const each = chunkText(doc.text, words, { size: 9, overlap: 0, maxTokens: 256 }, doc);
    expect(each.map((c) => [c.pageStart, c.ocrConfidence])).toEqual([
      [1, null],
      [2, 88],
      [3, 70],
    ]);
  });
});
