/**
 * Large collections without embedding 100k texts: documents whose chunks are random runs of 2-3
 * real XQuAD sentences (so FTS5 sees real words), each chunk's vector a normalised random mixture
 * of the real vectors of those same sentences plus small Gaussian noise (so the vectors keep the
 * distribution of the model's own output). Written straight into a STORAGE_DIR with the project's
 * own storage code, exactly as the server would have stored them.
 */
import { lexicalKey } from '../../src/language/document-language';
import { indexTerms } from '../../src/language/tokenizer';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { loadSettings } from '../../src/config/settings';
import { CollectionsRepository } from '../../src/database/collections.repository';
import { DatabaseService } from '../../src/database/database.service';
import { DocumentsRepository, NewChunk } from '../../src/database/documents.repository';
import { SeededRandom } from '../../test/support/seeded-random';

export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
  chunks: NewChunk[];
  /** One vector per chunk, normalised. */
  vectors: Float32Array[];
}

export interface SyntheticOptions {
  sentences: readonly string[];
  sentenceVectors: readonly Float32Array[];
  /** Tokens of each sentence as the embedding tokenizer counts them, special tokens included. */
  sentenceTokens: readonly number[];
  /** Name stored as chunks.token_counter (the tokenizer's model id, as the server stores it). */
  tokenCounter: string;
  chunksPerDocument: number;
  seed: number;
  /** Standard deviation of the Gaussian noise per dimension (before normalising). */
  noiseStd: number;
}

export function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Endless, deterministic stream of synthetic documents (the same seed gives the same stream). */
export function* syntheticDocuments(o: SyntheticOptions): Generator<CorpusDocument> {
  const rnd = new SeededRandom(o.seed);
  const dim = o.sentenceVectors[0]?.length ?? 0;
  for (let n = 0; ; n++) {
    const parts: { text: string; tokenCount: number }[] = [];
    const vectors: Float32Array[] = [];
    for (let c = 0; c < o.chunksPerDocument; c++) {
      const picks = rnd.distinct(2 + rnd.int(2), o.sentences.length);
      // WordPiece splits at white space first, so joined sentences count as the sum of their
      // tokens less one [CLS] [SEP] pair per extra sentence.
      const tokenCount =
        picks.reduce((n, i) => n + o.sentenceTokens[i]!, 0) - 2 * (picks.length - 1);
      parts.push({ text: picks.map((i) => o.sentences[i]!).join(' '), tokenCount });
      const v = new Float32Array(dim);
      for (const i of picks) {
        const w = rnd.uniform(0.25, 1);
        const base = o.sentenceVectors[i]!;
        for (let d = 0; d < dim; d++) v[d] = v[d]! + w * base[d]!;
      }
      for (let d = 0; d < dim; d++) v[d] = v[d]! + o.noiseStd * rnd.gaussian();
      vectors.push(normalize(v));
    }
    yield {
      id: `synthetic-${n}`,
      title: `Synthetic document ${n}`,
      ...joinChunks(parts, o.tokenCounter),
      vectors,
    };
  }
}

/** A document text made of chunk texts separated by blank lines, with exact chunk offsets. */
function joinChunks(
  parts: readonly { text: string; tokenCount: number }[],
  tokenCounter: string,
): { text: string; chunks: NewChunk[] } {
  const chunks: NewChunk[] = [];
  let text = '';
  parts.forEach((part, ordinal) => {
    if (ordinal > 0) text += '\n\n';
    const start = text.length;
    text += part.text;
    chunks.push({
      ordinal,
      text: part.text,
      start,
      end: text.length,
      tokenCount: part.tokenCount,
      terms: indexTerms(part.text, 'en'),
      tokenCounter,
    });
  });
  return { text, chunks };
}

export interface WrittenCollection {
  collectionId: number;
  documents: number;
  chunks: number;
  /** HNSW labels (chunk ids) in write order, i.e. in the order the server replays them. */
  labels: Int32Array;
  /** All vectors, row-major, in the order of labels. */
  matrix: Float32Array;
  ms: number;
}

export interface CollectionSpec {
  storageDir: string;
  name: string;
  embeddingModel: string;
  embeddingDtype: string;
  dim: number;
  chunkSize: number;
  chunkOverlap: number;
}

/**
 * Creates the collection (pinned to the model and dimension) and writes documents until
 * `totalChunks` chunks are stored: documents, chunks (FTS rows via triggers) and vectors, many
 * documents per transaction. The last document is cut short so the total is exact.
 */
export function writeCollection(
  spec: CollectionSpec,
  documents: Iterable<CorpusDocument>,
  totalChunks: number,
  docsPerTransaction = 500,
): WrittenCollection {
  const t0 = performance.now();
  Logger.overrideLogger(['error', 'warn']); // the "Applied migrations" line is not benchmark output
  const settings = loadSettings({ STORAGE_DIR: spec.storageDir });
  const database = new DatabaseService(settings);
  const collections = new CollectionsRepository(database);
  const repo = new DocumentsRepository(database);
  const labels = new Int32Array(totalChunks);
  const matrix = new Float32Array(totalChunks * spec.dim);
  let written = 0;
  let docs = 0;
  try {
    const collection = database.transaction(() =>
      collections.insert({
        name: spec.name,
        embeddingModel: spec.embeddingModel,
        embeddingDtype: spec.embeddingDtype,
        chunkSize: spec.chunkSize,
        chunkOverlap: spec.chunkOverlap,
        metadata: '{}',
      }),
    );
    if (!collections.pinDimension(collection.id, spec.dim))
      throw new Error('could not pin the collection dimension');
    const iterator = documents[Symbol.iterator]();
    while (written < totalChunks) {
      database.transaction(() => {
        for (let k = 0; k < docsPerTransaction && written < totalChunks; k++) {
          const next = iterator.next();
          if (next.done)
            throw new Error(`the document stream ended after ${written} of ${totalChunks} chunks`);
          const doc = cut(next.value, totalChunks - written);
          const { chunkIds } = repo.insert(
            {
              collectionId: collection.id,
              id: doc.id,
              title: doc.title,
              source: null,
              contentType: 'text/plain',
              contentHash: createHash('sha256')
                .update(JSON.stringify([doc.text, doc.title, '{}']))
                .digest('hex'),
              metadata: '{}',
              language: 'en',
              lexical: lexicalKey('auto'),
              text: doc.text,
            },
            doc.chunks,
          );
          const stored = repo.storeVectors(
            spec.embeddingModel,
            spec.dim,
            chunkIds.map((chunkId, i) => ({ chunkId, vector: doc.vectors[i]! })),
          );
          if (stored.length !== chunkIds.length)
            throw new Error(`stored ${stored.length} of ${chunkIds.length} vectors`);
          chunkIds.forEach((chunkId, i) => {
            labels[written] = chunkId;
            matrix.set(doc.vectors[i]!, written * spec.dim);
            written++;
          });
          docs++;
        }
      });
    }
    return {
      collectionId: collection.id,
      documents: docs,
      chunks: written,
      labels,
      matrix,
      ms: performance.now() - t0,
    };
  } finally {
    database.onApplicationShutdown(); // checkpoints the WAL and closes, as the server does
  }
}

/** The document with at most maxChunks chunks (text cut at the end of the last chunk kept). */
function cut(doc: CorpusDocument, maxChunks: number): CorpusDocument {
  if (doc.chunks.length <= maxChunks) return doc;
  const chunks = doc.chunks.slice(0, maxChunks);
  return {
    ...doc,
    text: doc.text.slice(0, chunks[chunks.length - 1]!.end),
    chunks,
    vectors: doc.vectors.slice(0, maxChunks),
  };
}
