import { parseEmbeddings } from './remote-embedding-engine';
import { ReplicaFailure } from './remote-http';
import { logit, parseRerank } from './rerank-api';
import { fitBytes, fitTokens } from './token-fit';

describe('answers of remote servers', () => {
  it('reads embeddings in index order, as unit vectors', () => {
    const sut = parseEmbeddings(
      {
        data: [
          { index: 1, embedding: [0, 2] },
          { index: 0, embedding: [3, 4] },
        ],
      },
      2,
      'http://x/v1',
    );
    expect(Array.from(sut[0]!)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(sut[1]!)).toEqual([0, 1]);
  });

  it.each([
    [{}, /no data array/],
    [{ data: [{ embedding: [1] }] }, /1 embeddings for 2 texts/],
    [{ data: [{ embedding: [1] }, { embedding: [1, 2] }] }, /different widths/],
    [{ data: [{ embedding: ['a'] }, { embedding: [1] }] }, /not an array of numbers/],
  ])('refuses a malformed embeddings answer %#', (body, message) => {
    expect(() => parseEmbeddings(body, 2, 'http://x/v1')).toThrow(message);
    expect(() => parseEmbeddings(body, 2, 'http://x/v1')).toThrow(ReplicaFailure);
  });

  it('reads Cohere and TEI rerank answers back into logits in the order given', () => {
    const cohere = parseRerank(
      'cohere',
      {
        results: [
          { index: 1, relevance_score: 0.5 },
          { index: 0, relevance_score: 0.9 },
        ],
      },
      2,
      'u',
    );
    expect(cohere[0]).toBeCloseTo(Math.log(9), 6);
    expect(cohere[1]).toBeCloseTo(0, 6);
    expect(parseRerank('tei', [{ index: 0, score: 0.1 }], 1, 'u')[0]).toBeCloseTo(-Math.log(9), 6);
    expect(() =>
      parseRerank('cohere', { results: [{ index: 0, relevance_score: 0.1 }] }, 2, 'u'),
    ).toThrow(/1 scores for 2 texts/);
    expect(() => parseRerank('tei', [{ index: 3, score: 0.1 }], 1, 'u')).toThrow(/index out of/);
    expect(logit(2.5)).toBe(2.5); // already a logit
  });

  it('cuts a text to a token count, and to a byte bound', () => {
    const words = (t: string) => t.split(' ').filter(Boolean).length;
    expect(fitTokens('one two three four', words, 2)).toBe('one two ');
    expect(fitTokens('one two', words, 5)).toBe('one two');
    expect(fitBytes('héllo', 3)).toBe('hé');
    expect(fitBytes('a😀b', 3)).toBe('a');
  });
});
