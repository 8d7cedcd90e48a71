import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Dtype, Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { IndexRebuildingError, InvalidInputError, ModelUnavailableError } from '../common/errors';
import { CollectionsService } from '../collections/collections.service';
import { CollectionRow } from '../database/collections.repository';
import { ChunkVectorsRepository } from '../database/chunk-vectors.repository';
import { ChunkHitRow, DocumentsRepository } from '../database/documents.repository';
import { EmbeddingEngine } from '../engines/embedding-engine';
import { Reranker } from '../engines/reranker';
import { cosine } from '../vector-store/cosine';
import { MetadataFilter, compileFilter } from '../vector-store/metadata-filter';
import { VectorStore } from '../vector-store/vector-store';
import { reciprocalRankFusion } from './fusion';
import { LexicalSearchService } from './lexical-search.service';
import { degradable, embedQuery } from './query-vector';
import { jaccard, maximalMarginalRelevance } from './mmr';
import { SearchSettings, parseSearchSettings } from '../collections/search-settings';
import { NO_TELEMETRY, Telemetry } from '../common/telemetry';

export type SearchMode = 'dense' | 'lexical' | 'hybrid';

export interface SearchRequest {
  query: string;
  topK: number;
  mode?: SearchMode;
  /** Metadata filter (see vector-store/metadata-filter.ts), applied inside both the dense and lexical paths. */
  filter?: Record<string, unknown>;
  /** Overrides of the collection's fusion settings. */
  fusion?: { k?: number; denseWeight?: number; lexicalWeight?: number };
  /** Rerank with the cross-encoder; default: the collection's setting. */
  rerank?: boolean;
  /** How many fused candidates the cross-encoder scores; default RERANK_CANDIDATES. */
  rerankCandidates?: number;
  /** Maximal marginal relevance over the candidates: 1 = relevance only, lower = more diverse. */
  mmrLambda?: number;
  /** Include each result's per-list ranks and scores. */
  explain?: boolean;
}

export interface HitExplanation {
  denseRank?: number;
  denseScore?: number;
  lexicalRank?: number;
  lexicalScore?: number;
  fusedScore?: number;
  rerankScore?: number;
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
  /** The headings the chunk is under, "Methods > Training"; null when its document has none. */
  sectionPath: string | null;
  /** Pages of the chunk; null when its document is not paged. */
  pageStart: number | null;
  pageEnd: number | null;
  /** Read by OCR: the mean confidence (0-100) of its pages; null for text. */
  ocrConfidence: number | null;
  explain?: HitExplanation;
}

export interface SearchResponse {
  results: SearchHit[];
  mode: SearchMode;
  reranked: boolean;
  /** Why this mode was used when it is not the one asked for, or what it cannot see. */
  modeReason?: string;
  timings: { embedMs: number; searchMs: number; rerankMs: number; totalMs: number };
}

interface Candidate {
  id: number;
  score: number;
  explain: HitExplanation;
}

@Injectable()
export class RetrievalService {
  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly collections: CollectionsService,
    private readonly documents: DocumentsRepository,
    private readonly stored: ChunkVectorsRepository,
    private readonly embedder: EmbeddingEngine,
    private readonly reranker: Reranker,
    private readonly vectors: VectorStore,
    private readonly lexicalSearch: LexicalSearchService,
    @Optional() private readonly telemetry: Telemetry = NO_TELEMETRY,
  ) {}

  async search(collectionName: string, req: SearchRequest): Promise<SearchResponse> {
    const t0 = performance.now();
    const collection = this.collections.row(collectionName);
    if (!req.query.trim()) throw new InvalidInputError('query must not be blank');
    const defaults = parseSearchSettings(collection.search_settings);
    const where =
      req.filter && Object.keys(req.filter).length > 0 ? compileFilter(req.filter) : undefined;
    const { mode: chosenMode, reason } = await this.chooseMode(collection, req.mode);
    let mode = chosenMode;
    const rerank = req.rerank ?? defaults.rerank;
    const rerankCandidates = req.rerankCandidates ?? this.settings.rerank.candidates;
    const depth = Math.max(
      req.topK,
      mode === 'hybrid' ? Math.max(req.topK * 4, 50) : 0,
      rerank ? rerankCandidates : 0,
      req.mmrLambda !== undefined ? Math.max(req.topK * 5, 50) : 0,
    );

    let embedMs = 0;
    let queryVector: Float32Array | undefined;
    let dense: { id: number; score: number }[] = [];
    let lexical: { id: number; score: number }[] = [];
    let note = reason;
    const tSearch = performance.now();
    if (mode !== 'lexical') {
      const te = performance.now();
      const generation = this.vectors.generation(collection.id);
      const embedded = await embedQuery(this.embedder, collection, req.query, !!req.mode);
      // The collection switched to a new embedding model while the query was embedded: the vector
      // is of the old model and the index now holds the new one's. Start over with the new model.
      if (this.vectors.generation(collection.id) !== generation)
        return this.search(collectionName, req);
      embedMs = performance.now() - te;
      this.telemetry.stage('embed', embedMs);
      if ('vector' in embedded) {
        queryVector = embedded.vector;
        const td = performance.now();
        // The store applies the filter where the vectors are (the HNSW store: an exact scan when few pass it).
        const filter = where ? { metadata: req.filter as MetadataFilter } : undefined;
        dense = (await this.vectors.search(collection.id, queryVector, depth, filter)).map((m) => ({
          id: m.id,
          score: m.similarity,
        }));
        this.telemetry.stage('dense', performance.now() - td);
      } else {
        // The model failed after it was found ready (a remote server went down meanwhile).
        mode = 'lexical';
        note = embedded.reason;
      }
    }
    if (mode !== 'dense') {
      const tl = performance.now();
      lexical = this.lexicalSearch.search(collection, req.query, depth, where);
      this.telemetry.stage('lexical', performance.now() - tl);
    }
    const tf = performance.now();
    let candidates = this.combine(mode, dense, lexical, fusionOf(defaults, req.fusion));
    if (mode === 'hybrid') this.telemetry.stage('fuse', performance.now() - tf);
    const searchMs = performance.now() - tSearch - embedMs;

    let rerankMs = 0;
    let reranked = false;
    let rows = this.documents.hits(candidates.slice(0, Math.max(depth, req.topK)).map((c) => c.id));
    if (rerank && candidates.length > 0) {
      const model = defaults.rerankModel ?? this.settings.rerank.model;
      const status = await this.reranker.ensure({ id: model, dtype: this.settings.rerank.dtype });
      if (status.state === 'ready') {
        const tr = performance.now();
        // The cross-encoder orders the head; candidates past it keep their fused order behind it.
        try {
          const head = await this.rerank(
            model,
            req.query,
            candidates.slice(0, rerankCandidates),
            rows,
          );
          candidates = [...head, ...candidates.slice(rerankCandidates)];
          reranked = true;
        } catch (e) {
          // Failed after it was found ready (a remote server went down): unless asked for, not reranked.
          if (req.rerank === true || !degradable(e)) throw e;
          note = join(note, `not reranked: ${e.message}`);
        }
        rerankMs = performance.now() - tr;
        this.telemetry.stage('rerank', rerankMs);
      } else if (req.rerank === true) {
        throw new ModelUnavailableError(model, status.reason ?? status.state);
      } else {
        note = join(
          note,
          `not reranked: reranking model ${model} is ${status.state}${status.reason ? `: ${status.reason}` : ''}`,
        );
      }
    }
    if (req.mmrLambda !== undefined)
      candidates = this.diversify(candidates, rows, req.topK, req.mmrLambda, queryVector);
    candidates = candidates.slice(0, req.topK);
    rows = rows.size >= candidates.length ? rows : this.documents.hits(candidates.map((c) => c.id));

    const results: SearchHit[] = [];
    for (const c of candidates) {
      const row = rows.get(c.id);
      if (!row) continue; // deleted between the index lookup and now
      results.push({
        documentId: row.document_id,
        chunkId: row.chunk_id,
        title: row.title,
        text: row.text,
        score: c.score,
        start: row.start_offset,
        end: row.end_offset,
        ordinal: row.ordinal,
        metadata: JSON.parse(row.metadata) as Record<string, unknown>,
        sectionPath: row.section_path,
        pageStart: row.page_start,
        pageEnd: row.page_end,
        ocrConfidence: row.ocr_confidence,
        ...(req.explain ? { explain: c.explain } : {}),
      });
    }
    return {
      results,
      mode,
      reranked,
      ...(note ? { modeReason: note } : {}),
      timings: {
        embedMs: round(embedMs),
        searchMs: round(searchMs),
        rerankMs: round(rerankMs),
        totalMs: round(performance.now() - t0),
      },
    };
  }

  private combine(
    mode: SearchMode,
    dense: { id: number; score: number }[],
    lexical: { id: number; score: number }[],
    fusion: { k: number; denseWeight: number; lexicalWeight: number },
  ): Candidate[] {
    if (mode === 'dense')
      return dense.map((d, i) => ({ ...d, explain: { denseRank: i + 1, denseScore: d.score } }));
    if (mode === 'lexical')
      return lexical.map((d, i) => ({
        ...d,
        explain: { lexicalRank: i + 1, lexicalScore: d.score },
      }));
    const denseScore = new Map(dense.map((d) => [d.id, d.score]));
    const lexicalScore = new Map(lexical.map((d) => [d.id, d.score]));
    return reciprocalRankFusion(
      [
        { name: 'dense', ids: dense.map((d) => d.id), weight: fusion.denseWeight },
        { name: 'lexical', ids: lexical.map((d) => d.id), weight: fusion.lexicalWeight },
      ],
      fusion.k,
    ).map((f) => ({
      id: f.id,
      score: f.score,
      explain: {
        ...(f.ranks.dense !== undefined
          ? { denseRank: f.ranks.dense, denseScore: denseScore.get(f.id) }
          : {}),
        ...(f.ranks.lexical !== undefined
          ? { lexicalRank: f.ranks.lexical, lexicalScore: lexicalScore.get(f.id) }
          : {}),
        fusedScore: f.score,
      },
    }));
  }

  private async rerank(
    model: string,
    query: string,
    candidates: Candidate[],
    rows: Map<number, ChunkHitRow>,
  ): Promise<Candidate[]> {
    const present = candidates.filter((c) => rows.has(c.id));
    const scores = await this.reranker.rerank(
      { id: model, dtype: this.settings.rerank.dtype },
      query,
      present.map((c) => rows.get(c.id)!.text),
    );
    return present
      .map((c, i) => ({
        id: c.id,
        score: scores[i]!,
        explain: { ...c.explain, rerankScore: scores[i]! },
      }))
      .sort((a, b) => b.score - a.score || a.id - b.id);
  }

  /** MMR with stored vectors when there are any, else with word overlap. */
  private diversify(
    candidates: Candidate[],
    rows: Map<number, ChunkHitRow>,
    k: number,
    lambda: number,
    query?: Float32Array,
  ): Candidate[] {
    const vectors = this.stored.vectorsOf(candidates.map((c) => c.id));
    // Stored vectors of another model (switched since the query was embedded) do not compare with it.
    const useVectors =
      query !== undefined && candidates.every((c) => vectors.get(c.id)?.length === query.length);
    const words = new Map(
      candidates.map((c) => [
        c.id,
        new Set(
          rows
            .get(c.id)
            ?.text.toLowerCase()
            .match(/[\p{L}\p{N}]+/gu) ?? [],
        ),
      ]),
    );
    // Relevance on a common 0..1 scale: cosine to the query, or the candidate's score rescaled.
    const max = Math.max(...candidates.map((c) => c.score));
    const min = Math.min(...candidates.map((c) => c.score));
    const relevance = (c: Candidate) =>
      useVectors
        ? cosine(query, vectors.get(c.id)!)
        : max === min
          ? 1
          : (c.score - min) / (max - min);
    const similarity = (a: Candidate, b: Candidate) =>
      useVectors
        ? cosine(vectors.get(a.id)!, vectors.get(b.id)!)
        : jaccard(words.get(a.id)!, words.get(b.id)!);
    return maximalMarginalRelevance(candidates, relevance, similarity, k, lambda);
  }

  /**
   * Default: hybrid when the collection has vectors and its embedding model can embed the query,
   * else lexical, saying why. An explicit dense or hybrid request with no model is an error.
   */
  private async chooseMode(
    collection: CollectionRow,
    requested?: SearchMode,
  ): Promise<{ mode: SearchMode; reason?: string }> {
    if (requested === 'lexical') return { mode: 'lexical' };
    const status = await this.embedder.ensure({
      id: collection.embedding_model,
      dtype: collection.embedding_dtype as Dtype,
    });
    if (status.state !== 'ready') {
      const why = `embedding model ${collection.embedding_model} is ${status.state}${status.reason ? `: ${status.reason}` : ''}`;
      if (requested)
        throw new ModelUnavailableError(collection.embedding_model, status.reason ?? status.state);
      return { mode: 'lexical', reason: `lexical only: ${why}` };
    }
    const index = this.vectors.state(collection.id);
    if (index.state === 'building') {
      if (requested)
        throw new IndexRebuildingError(collection.name, index.done ?? 0, index.total ?? 0);
      return {
        mode: 'lexical',
        reason: `lexical only: the vector index is being rebuilt from stored vectors (${index.done} of ${index.total})`,
      };
    }
    // Cheap checks on every search: the in-memory index size, and an indexed count of pending chunks.
    if (this.vectors.size(collection.id) === 0 && !requested) {
      return { mode: 'lexical', reason: 'lexical only: the collection has no vectors yet' };
    }
    const mode = requested ?? 'hybrid';
    const pending = this.documents.pendingCount(collection.id);
    if (pending === 0) return { mode };
    const seen = mode === 'dense' ? 'are not searched' : 'are found only lexically';
    return {
      mode,
      reason: `${pending} of ${this.documents.chunkCount(collection.id)} chunks have no vector yet and ${seen}`,
    };
  }
}

function fusionOf(d: SearchSettings, o: SearchRequest['fusion']) {
  return {
    k: o?.k ?? d.rrfK,
    denseWeight: o?.denseWeight ?? d.denseWeight,
    lexicalWeight: o?.lexicalWeight ?? d.lexicalWeight,
  };
}

const join = (a: string | undefined, b: string) => (a ? `${a}; ${b}` : b);
const round = (ms: number) => Math.round(ms * 100) / 100;
