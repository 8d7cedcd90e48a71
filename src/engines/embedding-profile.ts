/**
 * How each embedding model family must be used, from its model card: pooling, normalisation, and
 * the prefixes it was trained with for queries and passages. Unknown models get mean pooling and
 * no prefix, which is right for sentence-transformers models.
 */
export interface EmbeddingProfile {
  pooling: 'mean' | 'cls';
  normalize: boolean;
  queryPrefix: string;
  passagePrefix: string;
}

const PROFILES: readonly { match: RegExp; profile: EmbeddingProfile }[] = [
  // BAAI/bge-*-en-v1.5 card: CLS pooling, normalised, instruction on short queries only.
  {
    match: /bge-(small|base|large)-en/i,
    profile: {
      pooling: 'cls',
      normalize: true,
      queryPrefix: 'Represent this sentence for searching relevant passages: ',
      passagePrefix: '',
    },
  },
  {
    match: /bge-m3/i,
    profile: { pooling: 'cls', normalize: true, queryPrefix: '', passagePrefix: '' },
  },
  // intfloat/e5-* and multilingual-e5-*: mean pooling with "query: " / "passage: ".
  {
    match: /(^|\/)(multilingual-)?e5-/i,
    profile: {
      pooling: 'mean',
      normalize: true,
      queryPrefix: 'query: ',
      passagePrefix: 'passage: ',
    },
  },
  // nomic-embed-text: task prefixes.
  {
    match: /nomic-embed-text/i,
    profile: {
      pooling: 'mean',
      normalize: true,
      queryPrefix: 'search_query: ',
      passagePrefix: 'search_document: ',
    },
  },
  // snowflake-arctic-embed: CLS pooling, query instruction.
  {
    match: /arctic-embed/i,
    profile: {
      pooling: 'cls',
      normalize: true,
      queryPrefix: 'Represent this sentence for searching relevant passages: ',
      passagePrefix: '',
    },
  },
];

const DEFAULT_PROFILE: EmbeddingProfile = {
  pooling: 'mean',
  normalize: true,
  queryPrefix: '',
  passagePrefix: '',
};

export function embeddingProfile(model: string): EmbeddingProfile {
  return PROFILES.find((p) => p.match.test(model))?.profile ?? DEFAULT_PROFILE;
}
