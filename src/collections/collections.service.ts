import { Inject, Injectable } from '@nestjs/common';
import type { Dtype, Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import {
  CollectionExistsError,
  CollectionNotFoundError,
  InvalidInputError,
} from '../common/errors';
import {
  CollectionCounts,
  CollectionRow,
  CollectionsRepository,
} from '../database/collections.repository';
import { DatabaseService } from '../database/database.service';
import { ReembedRepository, ReembedRow } from '../database/reembed.repository';
import { IndexVerification } from '../vector-index/index-verification';
import { IndexState, VectorIndexService } from '../vector-index/vector-index.service';
import { SearchSettings, parseSearchSettings } from './search-settings';
import type { IdempotencyContext } from '../idempotency/idempotency.service';
import { AUTO } from '../language/languages';
import { ReanalysisService, ReanalysisView } from '../lexical-index/reanalysis.service';

export interface Collection {
  name: string;
  /** 'auto' or a language code: how documents and queries are analysed for lexical search. */
  language: string;
  search: SearchSettings;
  embeddingModel: string;
  embeddingDtype: Dtype;
  embeddingDim: number | null;
  chunkSize: number;
  chunkOverlap: number;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface CollectionWithCounts extends Collection {
  counts: CollectionCounts & { indexed: number };
  index: IndexState;
  /** The latest embedding-model migration. */
  reembed?: ReembedView;
  /** The analysis of its documents for lexical search under its language. */
  lexical: ReanalysisView;
}

export interface ReembedView {
  id: number;
  state: ReembedRow['state'];
  embeddingModel: string;
  embeddingDtype: Dtype;
  fromModel: string;
  fromDtype: Dtype;
  /** While running: chunks with a new vector so far, and all chunks of the collection. */
  done: number;
  total: number;
  error?: string;
  startedAt: string;
  finishedAt?: string;
}

export interface CreateCollection {
  name: string;
  embeddingModel?: string;
  embeddingDtype?: Dtype;
  chunkSize?: number;
  chunkOverlap?: number;
  metadata?: Record<string, unknown>;
  search?: Partial<SearchSettings>;
  language?: string;
}

export interface UpdateCollection {
  metadata?: Record<string, unknown>;
  search?: Partial<SearchSettings>;
  /** A change analyses every document again, in the background. */
  language?: string;
}

@Injectable()
export class CollectionsService {
  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly repo: CollectionsRepository,
    private readonly database: DatabaseService,
    private readonly vectors: VectorIndexService,
    private readonly reembeds: ReembedRepository,
    private readonly reanalysis: ReanalysisService,
  ) {}

  /** An Idempotency-Key is recorded in the transaction that inserts the collection. */
  create(input: CreateCollection, idempotency?: IdempotencyContext): CollectionWithCounts {
    const chunkSize = input.chunkSize ?? this.settings.chunking.size;
    const chunkOverlap =
      input.chunkOverlap ?? Math.min(this.settings.chunking.overlap, Math.floor(chunkSize / 4));
    if (chunkOverlap >= chunkSize) {
      throw new InvalidInputError('chunkOverlap must be smaller than chunkSize', {
        chunkSize,
        chunkOverlap,
      });
    }
    const language = input.language ?? AUTO;
    const row = this.database.transaction(() => {
      if (this.repo.findByName(input.name)) throw new CollectionExistsError(input.name);
      const inserted = this.repo.insert({
        name: input.name,
        language,
        embeddingModel: input.embeddingModel ?? this.defaultEmbeddingModel(language),
        embeddingDtype: input.embeddingDtype ?? this.settings.embedding.dtype,
        chunkSize,
        chunkOverlap,
        metadata: JSON.stringify(input.metadata ?? {}),
        searchSettings: JSON.stringify(input.search ?? {}),
      });
      idempotency?.commit(this.withCounts(inserted));
      return inserted;
    });
    return this.withCounts(row);
  }

  /**
   * The embedding model a new collection gets when none is asked for: the multilingual one for a
   * collection in a fixed language other than English, else EMBEDDING_MODEL.
   */
  defaultEmbeddingModel(language: string): string {
    return language === AUTO || language === 'en'
      ? this.settings.embedding.model
      : this.settings.embedding.multilingualModel;
  }

  /**
   * Changes metadata, search defaults and the language (its documents are then analysed again in
   * the background); the embedding model and chunking are fixed at creation.
   */
  update(name: string, input: UpdateCollection): CollectionWithCounts {
    let relanguaged = false;
    const row = this.database.transaction(() => {
      const current = this.row(name);
      const search = input.search
        ? JSON.stringify({ ...(JSON.parse(current.search_settings) as object), ...input.search })
        : undefined;
      relanguaged = input.language !== undefined && input.language !== current.language;
      this.repo.update(current.id, {
        metadata: input.metadata ? JSON.stringify(input.metadata) : undefined,
        searchSettings: search,
        language: input.language,
      });
      return this.row(name);
    });
    if (relanguaged) this.reanalysis.start(row.id);
    return this.withCounts(row);
  }

  list(): CollectionWithCounts[] {
    return this.repo.list().map((r) => this.withCounts(r));
  }

  get(name: string): CollectionWithCounts {
    return this.withCounts(this.row(name));
  }

  /** The stored row, or CollectionNotFoundError. */
  row(name: string): CollectionRow {
    const row = this.repo.findByName(name);
    if (!row) throw new CollectionNotFoundError(name);
    return row;
  }

  delete(name: string): void {
    const row = this.row(name);
    this.database.transaction(() => this.repo.delete(row.id));
    this.vectors.drop(row.id);
  }

  /** The collection's vector index checked against its stored vectors. */
  async verifyIndex(name: string): Promise<IndexVerification & { collection: string }> {
    const row = this.row(name);
    return { collection: name, ...(await this.vectors.verify(row.id)) };
  }

  toCollection(r: CollectionRow): Collection {
    return {
      name: r.name,
      language: r.language,
      search: parseSearchSettings(r.search_settings),
      embeddingModel: r.embedding_model,
      embeddingDtype: r.embedding_dtype as Dtype,
      embeddingDim: r.embedding_dim,
      chunkSize: r.chunk_size,
      chunkOverlap: r.chunk_overlap,
      metadata: JSON.parse(r.metadata) as Record<string, unknown>,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  reembedView(job: ReembedRow, chunks: number): ReembedView {
    const running = job.state === 'running';
    return {
      id: job.id,
      state: job.state,
      embeddingModel: job.model,
      embeddingDtype: job.dtype as Dtype,
      fromModel: job.from_model,
      fromDtype: job.from_dtype as Dtype,
      done: running ? this.reembeds.writtenCount(job) : job.state === 'done' ? chunks : 0,
      total: chunks,
      ...(job.error ? { error: job.error } : {}),
      startedAt: job.created_at,
      ...(job.finished_at ? { finishedAt: job.finished_at } : {}),
    };
  }

  private withCounts(r: CollectionRow): CollectionWithCounts {
    const counts = this.repo.counts(r.id);
    const job = this.reembeds.latest(r.id);
    return {
      ...this.toCollection(r),
      counts: { ...counts, indexed: this.vectors.size(r.id) },
      index: this.vectors.state(r.id),
      ...(job ? { reembed: this.reembedView(job, counts.chunks) } : {}),
      lexical: this.reanalysis.view(r.id, r.language, counts.documents),
    };
  }
}
