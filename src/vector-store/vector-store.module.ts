import { Module } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
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
      inject: [SETTINGS, CollectionsRepository, DocumentsRepository, StorageMonitor],
      useFactory: (
        settings: Settings,
        collections: CollectionsRepository,
        documents: DocumentsRepository,
        storage: StorageMonitor,
      ): VectorStore => {
        switch (settings.vectorStore) {
          case 'hnsw':
            return new HnswVectorStore(settings, collections, documents, storage);
          case 'memory':
            return new InMemoryVectorStore({ collections, documents });
        }
      },
    },
  ],
  exports: [VectorStore],
})
export class VectorStoreModule {}
