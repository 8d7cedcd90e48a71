import { toFtsQuery } from './lexical-query';

describe('toFtsQuery', () => {
  it('quotes each distinct content word and joins them with OR', () => {
    expect(toFtsQuery('What is HNSW? hnsw, recall!')).toBe('"hnsw" OR "recall"');
  });

  it('keeps stop words when the query has nothing else', () => {
    expect(toFtsQuery('to be or not to be')).toBe('"to" OR "be" OR "or" OR "not"');
  });

  it('neutralises FTS5 syntax characters', () => {
    expect(toFtsQuery('x" OR NEAR(b* -c) ^d')).toBe('"x" OR "near" OR "b" OR "c" OR "d"');
  });

  it('returns undefined when there are no words', () => {
    expect(toFtsQuery('?! ...')).toBeUndefined();
  });

  it('keeps non-Latin words', () => {
    expect(toFtsQuery('Größe café 東京')).toBe('"größe" OR "café" OR "東京"');
  });
});
