import { queryTerms } from './query-terms';

describe('queryTerms', () => {
  it('drops stop words of the query language and stems the rest', () => {
    expect(queryTerms('What is the capital of France?', ['en'])).toEqual(['capit', 'franc']);
    expect(queryTerms('Какая столица у России?', ['ru'])).toEqual(['столиц', 'росс']);
  });

  it('keeps stop words when the query has nothing else', () => {
    expect(queryTerms('to be or not to be', ['en'])).toEqual(['to', 'be', 'or', 'not']);
  });

  it('unites the terms of each language it is analysed in', () => {
    expect(queryTerms('Universities', ['en', 'de'])).toEqual(['univers', 'universiti']);
  });

  it('applies no stop-word list to character pairs', () => {
    expect(queryTerms('是否', ['zh'])).toEqual(['是否']);
  });

  it('caps the number of terms', () => {
    expect(queryTerms('一二三四五六七八九十', ['zh'], 3)).toEqual(['一二', '二三', '三四']);
  });
});
