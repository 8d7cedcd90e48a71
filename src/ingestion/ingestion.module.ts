import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { ModelsModule } from '../models/models.module';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { ChunkingService } from './chunking.service';
import { DocumentsService } from './documents.service';
import { EmbeddingQueueService } from './embedding-queue.service';
import { JobsService } from './jobs.service';
import { OriginalFiles } from './original-files';
import { ParsingService } from './parsing.service';
import { UrlIngestionService } from './url-ingestion.service';

@Module({
  imports: [CollectionsModule, ModelsModule, VectorIndexModule],
  providers: [
    DocumentsService,
    EmbeddingQueueService,
    ChunkingService,
    ParsingService,
    UrlIngestionService,
    JobsService,
    OriginalFiles,
  ],
  exports: [
    DocumentsService,
    EmbeddingQueueService,
    ParsingService,
    UrlIngestionService,
    JobsService,
    OriginalFiles,
  ],
})
export class IngestionModule {}
