import { checkGrounding, contentTerms, coverage, relevance } from './guardrails';

describe('guardrails', () => {
  const sources = [
    { n: 1, text: 'The night train leaves the city station at eight and crosses the river.' },
    { n: 2, text: 'Taxis need a receipt to be refunded; keep it for 30 days.' },
  ];

  it('finds an answer grounded when each sentence is supported by what it cites', () => {
    const sut = checkGrounding(
      'The night train leaves at eight [1]. Keep taxi receipts for 30 days [2].',
      sources,
    );
    expect(sut).toEqual({ grounded: true, support: 1, unsupported: [] });
  });

  it('flags sentences the sources do not support, and answers that cite nothing', () => {
    const made = checkGrounding(
      'The train has a restaurant car serving Italian food [1]. Taxis need a receipt [2].',
      sources,
    );
    expect(made.grounded).toBe(false);
    expect(made.support).toBe(0.5);
    expect(made.unsupported).toEqual(['The train has a restaurant car serving Italian food [1].']);
    expect(checkGrounding('The night train leaves the station at eight.', sources).grounded).toBe(
      false,
    ); // no citation
    expect(checkGrounding('Cited [1].', sources).grounded).toBe(false);
  });

  it('checks a sentence against the source it cites, not any source', () => {
    expect(checkGrounding('Taxis need a receipt [1].', sources).grounded).toBe(false);
    expect(checkGrounding('Taxis need a receipt [2].', sources).grounded).toBe(true);
  });

  it('measures relevance by reranker probability, else dense similarity or word coverage', () => {
    const q = contentTerms('When does the night train leave?');
    expect([...q].sort()).toEqual(['leave', 'night', 'train']);
    expect(coverage(q, sources[0]!.text)).toBe(1); // "leaves" matches "leave"
    expect(coverage(q, 'The night bus leaves at nine.')).toBeCloseTo(2 / 3);
    expect(relevance(q, { text: sources[1]!.text })).toBe(0);
    expect(relevance(q, { text: sources[1]!.text, explain: { denseScore: 0.7 } })).toBe(0.7);
    expect(relevance(q, { text: sources[0]!.text, explain: { rerankScore: -3 } })).toBeCloseTo(
      0.047,
      3,
    );
  });
});
