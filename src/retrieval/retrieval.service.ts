import { Injectable } from '@nestjs/common';
import type { Dtype } from '../config/settings';
import { InvalidInputError, ModelUnavailableError } from '../common/errors';
import { CollectionsService } from '../collections/collections.service';
import { CollectionsRepository, CollectionRow } from '../database/collections.repository';
import { DocumentsRepository } from '../database/documents.repository';
import { ModelsService } from '../models/models.service';
import { VectorIndexService } from '../vector-index/vector-index.service';
import { reciprocalRankFusion } from './fusion';
import { toFtsQuery } from './lexical-query';

export type SearchMode = 'dense' | 'lexical' | 'hybrid';
export type MetadataFilter = Record<string, string | number | boolean>;

export interface SearchRequest {
  query: string;
  topK: number;
  mode?: SearchMode;
  filter?: MetadataFilter;
}

export interface SearchHit {
  documentId: string;
  chunkId: number;
  title: string | null;
  text: string;
  score: number;
  start: number;
  end: number;
  ordinal: number;
  metadata: Record<string, unknown>;
  ranks?: { dense?: number; lexical?: number };
}

export interface SearchResponse {
  results: SearchHit[];
  mode: SearchMode;
  /** Why this mode was used when it is not the one asked for, or what it cannot see. */
  modeReason?: string;
  timings: { embedMs: number; searchMs: number; totalMs: number };
}

const RRF_K = 60;

@Injectable()
export class RetrievalService {
  constructor(
    private readonly collections: CollectionsService,
    private readonly collectionRows: CollectionsRepository,
    private readonly documents: DocumentsRepository,
    private readonly models: ModelsService,
    private readonly vectors: VectorIndexService,
  ) {}

  async search(collectionName: string, req: SearchRequest): Promise<SearchResponse> {
    const t0 = performance.now();
    const collection = this.collections.row(collectionName);
    if (!req.query.trim()) throw new InvalidInputError('query must not be blank');
    const { mode, reason } = await this.chooseMode(collection, req.mode);
    const allowed = req.filter && Object.keys(req.filter).length > 0 ? this.allowedChunks(collection.id, req.filter) : undefined;
    const candidates = mode === 'hybrid' ? Math.max(req.topK * 4, 50) : req.topK;

    let embedMs = 0;
    let dense: { id: number; score: number }[] = [];
    let lexical: { id: number; score: number }[] = [];
    const tSearch0 = performance.now();
    if (mode !== 'lexical') {
      const te = performance.now();
      const { vectors } = await this.models.embed(collection.embedding_model, collection.embedding_dtype as Dtype, [req.query], 'query');
      embedMs = performance.now() - te;
      const filter = allowed ? (label: number) => allowed.has(label) : undefined;
      dense = this.vectors.search(collection.id, vectors[0]!, candidates, filter).map((n) => ({ id: n.label, score: n.similarity }));
    }
    if (mode !== 'dense') {
      const match = toFtsQuery(req.query);
      if (match) {
        const docPks = req.filter && Object.keys(req.filter).length > 0 ? JSON.stringify(this.documents.documentPksWhereMetadata(collection.id, req.filter)) : undefined;
        lexical = this.documents.lexical(collection.id, match, candidates, docPks).map((r) => ({ id: r.chunk_id, score: r.score }));
      }
    }
    const searchMs = performance.now() - tSearch0 - embedMs;

    let ranked: { id: number; score: number; ranks?: SearchHit['ranks'] }[];
    if (mode === 'hybrid') {
      ranked = reciprocalRankFusion(
        [
          { name: 'dense', ids: dense.map((d) => d.id) },
          { name: 'lexical', ids: lexical.map((d) => d.id) },
        ],
        RRF_K,
      ).map((f) => ({ id: f.id, score: f.score, ranks: f.ranks }));
    } else {
      ranked = mode === 'dense' ? dense : lexical;
    }
    ranked = ranked.slice(0, req.topK);
    const rows = this.documents.hits(ranked.map((r) => r.id));
    const results: SearchHit[] = [];
    for (const r of ranked) {
      const row = rows.get(r.id);
      if (!row) continue; // deleted between the index lookup and now
      results.push({
        documentId: row.document_id,
        chunkId: row.chunk_id,
        title: row.title,
        text: row.text,
        score: r.score,
        start: row.start_offset,
        end: row.end_offset,
        ordinal: row.ordinal,
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
        ...(r.ranks ? { ranks: r.ranks } : {}),
      });
    }
    return {
      results,
      mode,
      ...(reason ? { modeReason: reason } : {}),
      timings: { embedMs: round(embedMs), searchMs: round(searchMs), totalMs: round(performance.now() - t0) },
    };
  }

  /**
   * Default: hybrid when the collection has vectors and its embedding model can embed the query,
   * else lexical, saying why. An explicit dense or hybrid request with no model is an error.
   */
  private async chooseMode(collection: CollectionRow, requested?: SearchMode): Promise<{ mode: SearchMode; reason?: string }> {
    if (requested === 'lexical') return { mode: 'lexical' };
    const counts = this.collectionRows.counts(collection.id);
    const status = await this.models.ensure('embedding', collection.embedding_model, collection.embedding_dtype as Dtype);
    const pendingNote = counts.pending > 0 ? `${counts.pending} of ${counts.chunks} chunks have no vector yet and are found only lexically` : undefined;
    if (status.state !== 'ready') {
      const why = `embedding model ${collection.embedding_model} is ${status.state}${status.reason ? `: ${status.reason}` : ''}`;
      if (requested) throw new ModelUnavailableError(collection.embedding_model, status.reason ?? status.state);
      return { mode: 'lexical', reason: `lexical only: ${why}` };
    }
    if (counts.vectors === 0 && !requested) {
      return { mode: 'lexical', reason: 'lexical only: the collection has no vectors yet' };
    }
    const mode = requested ?? 'hybrid';
    return { mode, reason: mode === 'dense' && pendingNote ? pendingNote.replace('found only lexically', 'not searched') : pendingNote };
  }

  private allowedChunks(collectionId: number, filter: MetadataFilter): Set<number> {
    return new Set(this.documents.chunkIdsWhereMetadata(collectionId, filter));
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
