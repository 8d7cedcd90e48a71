import { ChunkVectorsRepository } from '../../../database/chunk-vectors.repository';
import { DocumentsRepository } from '../../../database/documents.repository';
import { cosine } from '../../cosine';
import { compileFilter } from '../../metadata-filter';
import { VectorFilter, VectorMatch } from '../../vector-store';
import { HnswVectorIndex } from './hnsw-vector-index';

/** Below this many allowed vectors, a filtered search scans their stored vectors exactly. */
export const EXACT_FILTER_LIMIT = 20_000;

/**
 * k-NN inside a filter: an exact scan of the allowed vectors (stored in SQLite) when few pass it,
 * else the HNSW graph searched with the allowed set. Metadata conditions are resolved against the
 * documents in SQLite, where the metadata lives (the graph holds none).
 */
export class FilteredSearch {
  constructor(
    private readonly documents: DocumentsRepository,
    private readonly vectors: ChunkVectorsRepository,
  ) {}

  search(
    collectionId: number,
    index: HnswVectorIndex,
    query: Float32Array,
    k: number,
    filter: VectorFilter,
  ): VectorMatch[] {
    const allowed = (
      'ids' in filter
        ? filter.ids
        : this.documents.chunkIdsWhere(collectionId, compileFilter(filter.metadata))
    ).filter((id) => index.has(id));
    if (allowed.length <= EXACT_FILTER_LIMIT) {
      return [...this.vectors.vectorsOf(allowed)]
        .map(([id, v]) => ({ id, similarity: cosine(query, v) }))
        .sort((a, b) => b.similarity - a.similarity || a.id - b.id)
        .slice(0, k);
    }
    const set = new Set(allowed);
    return index
      .search(query, k, (label) => set.has(label))
      .map((n) => ({ id: n.label, similarity: n.similarity }));
  }
}
