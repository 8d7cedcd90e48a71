import { toFtsQuery } from './lexical-query';

describe('toFtsQuery', () => {
  it('quotes each distinct word and joins them with OR', () => {
    expect(toFtsQuery('What is HNSW? hnsw, recall!')).toBe('"what" OR "is" OR "hnsw" OR "recall"');
  });

  it('neutralises FTS5 syntax characters', () => {
    expect(toFtsQuery('a" OR NEAR(b* -c) ^d')).toBe('"a" OR "or" OR "near" OR "b" OR "c" OR "d"');
  });

  it('returns undefined when there are no words', () => {
    expect(toFtsQuery('?! ...')).toBeUndefined();
  });

  it('keeps non-Latin words', () => {
    expect(toFtsQuery('Größe café 東京')).toBe('"größe" OR "café" OR "東京"');
  });
});
