import { Module } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { ChunkVectorsRepository } from '../database/chunk-vectors.repository';
import { CollectionsRepository } from '../database/collections.repository';
import { DocumentsRepository } from '../database/documents.repository';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { HnswVectorStore } from './adapters/hnsw/hnsw-vector-store';
import { InMemoryVectorStore } from './adapters/in-memory/in-memory-vector-store';
import { VectorStore } from './vector-store';

/** The vector store chosen by VECTOR_STORE: HNSW graphs (default) or exact search in memory. */
@Module({
  providers: [
    {
      provide: VectorStore,
      inject: [
        SETTINGS,
        CollectionsRepository,
        DocumentsRepository,
        ChunkVectorsRepository,
        StorageMonitor,
      ],
      useFactory: (
        settings: Settings,
        collections: CollectionsRepository,
        documents: DocumentsRepository,
        vectors: ChunkVectorsRepository,
        storage: StorageMonitor,
      ): VectorStore => {
        switch (settings.vectorStore) {
          case 'hnsw':
            return new HnswVectorStore(settings, collections, documents, vectors, storage);
          case 'memory':
            return new InMemoryVectorStore({ collections, documents, vectors });
        }
      },
    },
  ],
  exports: [VectorStore],
})
export class VectorStoreModule {}
