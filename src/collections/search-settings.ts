/** A collection's search defaults; each can be overridden per request. */
export interface SearchSettings {
  /** k of reciprocal rank fusion: higher flattens the difference between ranks. */
  rrfK: number;
  denseWeight: number;
  lexicalWeight: number;
  /** Rerank the fused candidates with a cross-encoder. */
  rerank: boolean;
  /** Cross-encoder model; default RERANK_MODEL. */
  rerankModel?: string;
}

export const DEFAULT_SEARCH_SETTINGS: SearchSettings = {
  rrfK: 60,
  denseWeight: 1,
  lexicalWeight: 1,
  rerank: false,
};

export function parseSearchSettings(json: string): SearchSettings {
  return { ...DEFAULT_SEARCH_SETTINGS, ...(JSON.parse(json) as Partial<SearchSettings>) };
}
