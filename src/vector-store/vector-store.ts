import type { MetadataFilter } from './metadata-filter';
import type { VectorStoreVerification } from './verification';

/**
 * A vector to store: the id of its chunk, its sequence number in the source of truth (SQLite's
 * chunk_vectors.seq: a store that persists itself recovers by replaying what comes after the
 * highest one it holds), the vector, and its document's metadata (for stores that filter on a copy
 * of their own; a store may instead read it from the source of truth).
 */
export interface VectorItem {
  id: number;
  seq: number;
  vector: Float32Array;
  metadata?: Readonly<Record<string, unknown>>;
}

/** A vector of a staged generation: not in service yet, so no sequence number that counts. */
export type StagedVectorItem = Omit<VectorItem, 'seq'>;

export interface VectorMatch {
  id: number;
  /** Cosine similarity to the query. */
  similarity: number;
}

/**
 * Which vectors a search may return: those of the given chunk ids, or those whose document's
 * metadata matches the conditions (the grammar of metadata-filter.ts). Data, never a callback, so
 * that a store can evaluate it where the vectors are.
 */
export type VectorFilter = { ids: readonly number[] } | { metadata: MetadataFilter };

export interface VectorStoreState {
  /** building: the store is being filled from the source of truth (searches see part of it). */
  state: 'ready' | 'building';
  /** Vectors searchable now. */
  size: number;
  /** While building: vectors loaded so far and in all. */
  done?: number;
  total?: number;
}

/** A file of an export, as the sink wrote it. */
export interface ExportedFile {
  /** Relative to the export's root, with '/' separators. */
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * Where an export goes (a backup directory, in practice). Names are relative paths with '/'
 * separators, laid out as under STORAGE_DIR: a server started on a directory holding an export at
 * its names imports it at start-up.
 */
export interface ExportSink {
  /** Creates the directory `name` in the export (its layout holds it even when no file goes in). */
  directory(name: string): Promise<void>;
  /** Copies a file of the store into the export as `name`; returns what was written. */
  copyFile(from: string, name: string): Promise<ExportedFile>;
  /** Writes `data` into the export as `name`, durably; returns what was written. */
  writeFile(name: string, data: string): Promise<ExportedFile>;
  /** Removes `name` from the export (nothing there is fine). */
  remove(name: string): Promise<void>;
}

export interface CollectionExport {
  collection: number;
  /** The highest sequence number of the source of truth the export holds (what comes after is replayed). */
  watermark: number;
  /** Vectors in the export. */
  size: number;
  files: ExportedFile[];
}

export interface VectorStoreExport {
  /** Collections exported; a collection left out is rebuilt from the source of truth on import. */
  collections: CollectionExport[];
}

/**
 * The vectors of each collection, held for k-nearest-neighbour search. A derived cache: SQLite is
 * the source of truth, vectors reach it first, and a store can always be rebuilt from it.
 *
 * Writes (add, delete, the staged generation, promote, drop) return at once: every search that
 * starts after one returns sees it, so a caller that commits to SQLite and then writes here in the
 * same turn of the event loop is never seen half done. Reads of the store's own state (size,
 * state, generation) are cheap and synchronous; searches, verification, flush, export and import
 * are asynchronous. Collections are named by their SQLite id.
 */
export abstract class VectorStore {
  /** Adds vectors just committed to SQLite; an id already held keeps its vector. */
  abstract add(collection: number, items: readonly VectorItem[]): void;

  /** Removes vectors whose rows SQLite has already deleted (from the staged generation too). */
  abstract delete(collection: number, ids: readonly number[]): void;

  /**
   * The k vectors most similar to `vector`, most similar first (ties by ascending id), among those
   * the filter allows. Fewer when fewer are held or allowed.
   */
  abstract search(
    collection: number,
    vector: Float32Array,
    k: number,
    filter?: VectorFilter,
  ): Promise<VectorMatch[]>;

  /** Vectors searchable in the collection now. */
  abstract size(collection: number): number;

  /** Ready, or being filled from the source of truth with progress. */
  abstract state(collection: number): VectorStoreState;

  /**
   * The vector generation in service (SQLite's collections.vector_generation, bumped by each
   * embedding-model switch): a search compares it before and after embedding its query.
   */
  abstract generation(collection: number): number;

  /** Forgets the collection, staged generation and persisted state included. */
  abstract drop(collection: number): void;

  /**
   * Starts a staged generation of `dim` dimensions (a re-embedding with another model), invisible to
   * searches until promoted. A staged generation of the same width is kept; another is replaced.
   */
  abstract beginStaged(collection: number, dim: number): void;

  /** Adds vectors to the staged generation (begun first). */
  abstract addStaged(collection: number, items: readonly StagedVectorItem[]): void;

  /** Vectors in the staged generation (0 when none). */
  abstract stagedSize(collection: number): number;

  /** Abandons the staged generation. */
  abstract dropStaged(collection: number): void;

  /**
   * Puts the staged generation in service at once, in place of the current one: call right after
   * the SQLite transaction that switched the stored vectors (generation bumped), with the vectors it
   * put in service. A staged generation that does not hold exactly those is rebuilt from SQLite.
   */
  abstract promote(
    collection: number,
    dim: number,
    generation: number,
    written: readonly { id: number; seq: number }[],
  ): void;

  /**
   * The collection checked against the source of truth. `storedIds` (the ids of the vectors SQLite
   * holds) is read once the store's own view is settled, so writes held back meanwhile do not show
   * as differences.
   */
  abstract verify(
    collection: number,
    storedIds: () => Iterable<number>,
  ): Promise<VectorStoreVerification>;

  /** Makes what the store persists of itself as recent as it can be (before an export). */
  abstract flush(): Promise<void>;

  /**
   * Writes what the store persists of itself into `sink`. `onProgress` sees files done and in all,
   * and may throw to stop the export.
   */
  abstract export(
    sink: ExportSink,
    onProgress?: (done: number, total: number) => void,
  ): Promise<VectorStoreExport>;

  /**
   * Loads an export written under `dir` (at its names) in place of the collections it holds, checked
   * and completed against the source of truth; resolves when they are ready.
   */
  abstract import(dir: string): Promise<void>;
}
