import { embeddingProfile } from './embedding-profile';

describe('embeddingProfile', () => {
  it('uses CLS pooling and the query instruction for bge v1.5', () => {
    const sut = embeddingProfile('Xenova/bge-small-en-v1.5');
    expect(sut.pooling).toBe('cls');
    expect(sut.queryPrefix).toMatch(/^Represent this sentence/);
    expect(sut.passagePrefix).toBe('');
  });

  it('uses query:/passage: prefixes and mean pooling for e5', () => {
    expect(embeddingProfile('Xenova/multilingual-e5-small')).toMatchObject({
      pooling: 'mean',
      queryPrefix: 'query: ',
      passagePrefix: 'passage: ',
    });
    expect(embeddingProfile('intfloat/e5-base-v2').passagePrefix).toBe('passage: ');
  });

  it('falls back to mean pooling without prefixes for sentence-transformers models', () => {
    expect(embeddingProfile('Xenova/all-MiniLM-L6-v2')).toEqual({
      pooling: 'mean',
      normalize: true,
      queryPrefix: '',
      passagePrefix: '',
    });
  });
});
