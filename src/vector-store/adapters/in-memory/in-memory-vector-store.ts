import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ChunkVectorsRepository } from '../../../database/chunk-vectors.repository';
import { CollectionsRepository } from '../../../database/collections.repository';
import { DocumentsRepository } from '../../../database/documents.repository';
import { cosine } from '../../cosine';
import { VectorStoreVerification, verifyAgainstStored } from '../../verification';
import {
  CollectionExport,
  ExportSink,
  StagedVectorItem,
  VectorFilter,
  VectorItem,
  VectorMatch,
  VectorStore,
  VectorStoreExport,
  VectorStoreState,
} from '../../vector-store';
import { metadataMatcher } from './metadata-match';

type Metadata = Readonly<Record<string, unknown>>;

interface Entry {
  seq: number;
  vector: Float32Array;
  metadata: Metadata;
}

interface Held {
  generation: number;
  dim: number;
  entries: Map<number, Entry>;
}

/** The store's export of one collection: `vectors/<id>.json`. */
interface ExportFile {
  format: 'ragd-in-memory-vectors';
  collection: number;
  generation: number;
  dim: number;
  /** id, seq, the vector as base64 of its float32 bytes, metadata. */
  items: [number, number, string, Metadata][];
}

const EXPORT_DIR = 'vectors';
/** Vectors read from SQLite per query when the store is filled at start-up. */
const LOAD_BATCH = 1000;

/** The source of truth the store fills itself from at start-up (none in unit tests). */
export interface InMemorySource {
  collections: CollectionsRepository;
  documents: DocumentsRepository;
  vectors: ChunkVectorsRepository;
}

/**
 * Every vector in a Map, searched exactly (cosine against each allowed vector): a real store for
 * small collections and for testing the services fast, with nothing on disk. Filled from SQLite at
 * start-up when it has a source; its export is one JSON file per collection.
 */
export class InMemoryVectorStore extends VectorStore implements OnApplicationBootstrap {
  private readonly logger = new Logger(InMemoryVectorStore.name);
  private readonly held = new Map<number, Held>();
  private readonly staged = new Map<number, Held>();

  constructor(private readonly source?: InMemorySource) {
    super();
  }

  onApplicationBootstrap(): void {
    for (const c of this.source?.collections.list() ?? []) {
      if (c.embedding_dim !== null) this.load(c.id, c.embedding_dim, c.vector_generation);
    }
  }

  add(collection: number, items: readonly VectorItem[]): void {
    if (items.length === 0) return;
    const held = this.held.get(collection) ?? this.create(collection, items[0]!.vector.length);
    for (const it of items) {
      if (it.vector.length !== held.dim)
        throw new Error(`vector has ${it.vector.length} dimensions, the store has ${held.dim}`);
      if (!held.entries.has(it.id))
        held.entries.set(it.id, { seq: it.seq, vector: it.vector, metadata: it.metadata ?? {} });
    }
  }

  delete(collection: number, ids: readonly number[]): void {
    for (const held of [this.held.get(collection), this.staged.get(collection)])
      if (held) for (const id of ids) held.entries.delete(id);
  }

  search(
    collection: number,
    vector: Float32Array,
    k: number,
    filter?: VectorFilter,
  ): Promise<VectorMatch[]> {
    const entries = this.held.get(collection)?.entries ?? new Map<number, Entry>();
    let candidates: [number, Entry][];
    if (!filter) candidates = [...entries];
    else if ('ids' in filter)
      candidates = filter.ids.flatMap((id) => {
        const e = entries.get(id);
        return e ? [[id, e] as [number, Entry]] : [];
      });
    else {
      const match = metadataMatcher(filter.metadata);
      candidates = [...entries].filter(([, e]) => match(e.metadata));
    }
    const found = [...new Map(candidates)]
      .map(([id, e]) => ({ id, similarity: cosine(vector, e.vector) }))
      .sort((a, b) => b.similarity - a.similarity || a.id - b.id)
      .slice(0, k);
    return Promise.resolve(found);
  }

  size(collection: number): number {
    return this.held.get(collection)?.entries.size ?? 0;
  }

  state(collection: number): VectorStoreState {
    return { state: 'ready', size: this.size(collection) };
  }

  generation(collection: number): number {
    return (
      this.held.get(collection)?.generation ??
      this.source?.collections.findById(collection)?.vector_generation ??
      0
    );
  }

  drop(collection: number): void {
    this.held.delete(collection);
    this.staged.delete(collection);
  }

  beginStaged(collection: number, dim: number): void {
    if (this.staged.get(collection)?.dim !== dim)
      this.staged.set(collection, { generation: -1, dim, entries: new Map() });
  }

  addStaged(collection: number, items: readonly StagedVectorItem[]): void {
    const staged = this.staged.get(collection);
    if (!staged) throw new Error(`collection ${collection} has no staged generation`);
    for (const it of items) {
      if (it.vector.length !== staged.dim)
        throw new Error(`vector has ${it.vector.length} dimensions, the store has ${staged.dim}`);
      if (!staged.entries.has(it.id))
        staged.entries.set(it.id, { seq: 0, vector: it.vector, metadata: it.metadata ?? {} });
    }
  }

  stagedSize(collection: number): number {
    return this.staged.get(collection)?.entries.size ?? 0;
  }

  dropStaged(collection: number): void {
    this.staged.delete(collection);
  }

  promote(
    collection: number,
    dim: number,
    generation: number,
    written: readonly { id: number; seq: number }[],
  ): void {
    const staged = this.staged.get(collection);
    this.staged.delete(collection);
    const exact =
      staged?.dim === dim &&
      staged.entries.size === written.length &&
      written.every((w) => staged.entries.has(w.id));
    if (!exact && this.source) {
      this.logger.warn(
        `Collection ${collection}: the new model's vectors do not match the stored ones; reloading them`,
      );
      this.load(collection, dim, generation);
      return;
    }
    const entries = new Map<number, Entry>();
    for (const w of written) {
      const e = staged?.dim === dim ? staged.entries.get(w.id) : undefined;
      if (e) entries.set(w.id, { ...e, seq: w.seq });
    }
    this.held.set(collection, { generation, dim, entries });
  }

  verify(collection: number, storedIds: () => Iterable<number>): Promise<VectorStoreVerification> {
    const size = this.size(collection);
    const figures = {
      state: 'ready' as const,
      size,
      capacity: size,
      deletedSlots: 0,
      elements: size,
    };
    return Promise.resolve(
      verifyAgainstStored(figures, storedIds(), this.held.get(collection)?.entries.keys() ?? []),
    );
  }

  /** Nothing to write: the store persists nothing of itself (SQLite holds every vector). */
  flush(): Promise<void> {
    return Promise.resolve();
  }

  async export(
    sink: ExportSink,
    onProgress: (done: number, total: number) => void = () => undefined,
  ): Promise<VectorStoreExport> {
    const ids = [...this.held.keys()].sort((a, b) => a - b);
    await sink.directory(EXPORT_DIR);
    const collections: CollectionExport[] = [];
    for (const [i, id] of ids.entries()) {
      onProgress(i, ids.length);
      const held = this.held.get(id);
      if (!held) continue; // dropped meanwhile
      const file: ExportFile = {
        format: 'ragd-in-memory-vectors',
        collection: id,
        generation: held.generation,
        dim: held.dim,
        items: [...held.entries].map(([eid, e]) => [eid, e.seq, base64(e.vector), e.metadata]),
      };
      const written = await sink.writeFile(`${EXPORT_DIR}/${id}.json`, JSON.stringify(file));
      const watermark = [...held.entries.values()].reduce((m, e) => Math.max(m, e.seq), 0);
      collections.push({ collection: id, watermark, size: held.entries.size, files: [written] });
    }
    onProgress(ids.length, ids.length);
    return { collections };
  }

  async import(dir: string): Promise<void> {
    const from = path.join(dir, EXPORT_DIR);
    const names = fs.existsSync(from) ? await fs.promises.readdir(from) : [];
    for (const name of names.filter((n) => /^\d+\.json$/.test(n))) {
      const file = JSON.parse(
        await fs.promises.readFile(path.join(from, name), 'utf8'),
      ) as ExportFile;
      if (file.format !== 'ragd-in-memory-vectors') continue;
      const entries = new Map<number, Entry>(
        file.items.map(([id, seq, vector, metadata]) => [
          id,
          { seq, vector: fromBase64(vector), metadata },
        ]),
      );
      this.held.set(file.collection, { generation: file.generation, dim: file.dim, entries });
    }
  }

  private create(collection: number, dim: number): Held {
    const held: Held = { generation: this.generation(collection), dim, entries: new Map() };
    this.held.set(collection, held);
    return held;
  }

  /** Fills the collection from its stored vectors (with their documents' metadata). */
  private load(collection: number, dim: number, generation: number): void {
    const { documents, vectors } = this.source!;
    const entries = new Map<number, Entry>();
    for (let after = 0; ;) {
      const rows = vectors.vectorBatch(collection, after, LOAD_BATCH);
      if (rows.length === 0) break;
      const metadata = documents.metadataOf(rows.map((r) => r.chunk_id));
      for (const r of rows) {
        const vector = new Float32Array(
          r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + r.vector.byteLength),
        );
        const json = metadata.get(r.chunk_id);
        entries.set(r.chunk_id, {
          seq: r.seq,
          vector,
          metadata: json ? (JSON.parse(json) as Metadata) : {},
        });
        after = r.seq;
      }
    }
    this.held.set(collection, { generation, dim, entries });
  }
}

function base64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

function fromBase64(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
