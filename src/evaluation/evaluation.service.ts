import { Injectable } from '@nestjs/common';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { CollectionsService } from '../collections/collections.service';
import { InvalidInputError, ModelUnavailableError } from '../common/errors';
import { RetrievalService, SearchRequest } from '../retrieval/retrieval.service';
import {
  Judgements,
  QueryMetrics,
  distinctDocuments,
  hasRelevant,
  meanMetrics,
  queryMetrics,
} from './metrics';

export const EVALUATION_MODES = ['lexical', 'dense', 'hybrid', 'hybrid+rerank'] as const;
export type EvaluationMode = (typeof EVALUATION_MODES)[number];

/** Chunks searched per distinct document wanted: documents with several matching chunks use up slots. */
const CHUNKS_PER_DOCUMENT = 3;

export interface EvaluationQuery {
  query: string;
  /** Document id -> grade (>= 0; above 0 is relevant). */
  relevant: Record<string, number>;
}

export interface EvaluationRequest {
  queries: EvaluationQuery[];
  /** The cut-off of recallAtK. */
  k: number;
  modes: readonly EvaluationMode[];
  /** More recall cut-offs (1, 5, 10 and k are always computed). */
  recallAt?: readonly number[];
}

export interface ModeEvaluation {
  mode: EvaluationMode;
  available: boolean;
  /** Why the mode could not run. */
  reason?: string;
  /** What the search said about the mode (e.g. chunks still without a vector), once per distinct text. */
  modeReason?: string;
  recallAtK: number | null;
  /** Recall at each cut-off, keyed by the cut-off. */
  recall: Record<string, number> | null;
  mrrAt10: number | null;
  ndcgAt10: number | null;
  meanLatencyMs: number | null;
}

export interface EvaluationResult {
  k: number;
  /** Queries received. */
  queries: number;
  /** Queries with at least one relevant document (grade > 0): the metrics are means over these. */
  evaluatedQueries: number;
  /** Distinct documents ranked per query (max of the cut-offs and 10). */
  depth: number;
  /** Chunks searched per query, deduplicated to documents. */
  searchTopK: number;
  modes: ModeEvaluation[];
}

/**
 * Runs labelled queries through the retrieval service in each mode and scores the rankings:
 * recall@k, MRR@10 and nDCG@10 over distinct documents (a document ranks where its best chunk does).
 */
@Injectable()
export class EvaluationService {
  constructor(
    private readonly collections: CollectionsService,
    private readonly retrieval: RetrievalService,
  ) {}

  async evaluate(
    collectionName: string,
    req: EvaluationRequest,
    signal?: AbortSignal,
  ): Promise<EvaluationResult> {
    this.collections.row(collectionName); // 404 before any work
    const recallKs = [...new Set([1, 5, 10, req.k, ...(req.recallAt ?? [])])].sort((a, b) => a - b);
    const depth = Math.max(10, ...recallKs);
    const searchTopK = depth * CHUNKS_PER_DOCUMENT;
    const judged = req.queries
      .map((q) => ({ query: q.query, judgements: new Map(Object.entries(q.relevant)) }))
      .filter((q) => hasRelevant(q.judgements));
    if (judged.length === 0) {
      throw new InvalidInputError(
        'No query has a relevant document (a grade above 0): there is nothing to measure',
      );
    }
    const modes: ModeEvaluation[] = [];
    for (const mode of new Set(req.modes)) {
      modes.push(
        await this.evaluateMode(
          collectionName,
          mode,
          judged,
          { depth, searchTopK, recallKs, k: req.k },
          signal,
        ),
      );
    }
    return {
      k: req.k,
      queries: req.queries.length,
      evaluatedQueries: judged.length,
      depth,
      searchTopK,
      modes,
    };
  }

  private async evaluateMode(
    collectionName: string,
    mode: EvaluationMode,
    queries: { query: string; judgements: Judgements }[],
    cut: { depth: number; searchTopK: number; recallKs: number[]; k: number },
    signal?: AbortSignal,
  ): Promise<ModeEvaluation> {
    const perQuery: QueryMetrics[] = [];
    const reasons = new Set<string>();
    const search = (query: string) =>
      this.retrieval.search(collectionName, {
        ...searchOptions(mode),
        query,
        topK: cut.searchTopK,
      });
    let latency = 0;
    try {
      // One untimed search first: it loads a model that is not loaded yet, outside the latency.
      await search(queries[0]!.query);
    } catch (e) {
      if (e instanceof ModelUnavailableError) return unavailable(mode, e.message);
      throw e;
    }
    for (const q of queries) {
      signal?.throwIfAborted();
      const t0 = performance.now();
      let documentIds: string[];
      try {
        const res = await search(q.query);
        documentIds = res.results.map((r) => r.documentId);
        if (res.modeReason) reasons.add(res.modeReason);
      } catch (e) {
        if (e instanceof ModelUnavailableError) return unavailable(mode, e.message);
        throw e;
      }
      latency += performance.now() - t0;
      perQuery.push(
        queryMetrics(distinctDocuments(documentIds, cut.depth), q.judgements, cut.recallKs),
      );
      // A lexical search never waits on anything: let the server answer other requests meanwhile.
      await yieldToEventLoop();
    }
    const mean = meanMetrics(perQuery, cut.recallKs);
    return {
      mode,
      available: true,
      ...(reasons.size > 0 ? { modeReason: [...reasons].join('; ') } : {}),
      recallAtK: mean.recall.get(cut.k) ?? 0,
      recall: Object.fromEntries(cut.recallKs.map((k) => [String(k), mean.recall.get(k) ?? 0])),
      mrrAt10: mean.mrrAt10,
      ndcgAt10: mean.ndcgAt10,
      meanLatencyMs: Math.round((latency / queries.length) * 100) / 100,
    };
  }
}

/** Each mode exactly as named: the collection's rerank default does not leak into the plain modes. */
function searchOptions(mode: EvaluationMode): Pick<SearchRequest, 'mode' | 'rerank'> {
  switch (mode) {
    case 'lexical':
    case 'dense':
    case 'hybrid':
      return { mode, rerank: false };
    case 'hybrid+rerank':
      return { mode: 'hybrid', rerank: true };
  }
}

function unavailable(mode: EvaluationMode, reason: string): ModeEvaluation {
  return {
    mode,
    available: false,
    reason,
    recallAtK: null,
    recall: null,
    mrrAt10: null,
    ndcgAt10: null,
    meanLatencyMs: null,
  };
}
