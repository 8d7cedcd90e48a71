import type { Dtype } from '../config/settings';
import {
  EmbeddingModelMismatchError,
  ModelUnavailableError,
  RemoteEngineError,
} from '../common/errors';
import type { CollectionRow } from '../database/collections.repository';
import type { EmbeddingEngine } from '../engines/embedding-engine';

/** A model that cannot serve now: the search goes on without it (as with no model at all). */
export function degradable(e: unknown): e is Error {
  return e instanceof ModelUnavailableError || e instanceof RemoteEngineError;
}

/**
 * The query's vector; or, when the model fails after it was found ready (a remote engine went
 * down meanwhile) or answers a width the collection's vectors do not have, why there is none.
 * With `strict` (dense or hybrid asked for), those are errors.
 */
export async function embedQuery(
  embedder: EmbeddingEngine,
  collection: CollectionRow,
  query: string,
  strict: boolean,
): Promise<{ vector: Float32Array } | { reason: string }> {
  const model = collection.embedding_model;
  let vector: Float32Array;
  try {
    const { vectors } = await embedder.embedQueries(
      { id: model, dtype: collection.embedding_dtype as Dtype },
      [query],
    );
    vector = vectors[0]!;
  } catch (e) {
    if (strict || !degradable(e)) throw e;
    return { reason: `lexical only: ${e.message}` };
  }
  const pinned = collection.embedding_dim;
  if (pinned !== null && vector.length !== pinned) {
    const why = `embedding model ${model} answers ${vector.length} dimensions but the collection's vectors have ${pinned}`;
    if (strict) throw new EmbeddingModelMismatchError(why, { model, dim: vector.length, pinned });
    return { reason: `lexical only: ${why}` };
  }
  return { vector };
}
