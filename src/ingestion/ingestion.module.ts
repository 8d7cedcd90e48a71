import { Module } from '@nestjs/common';
import * as path from 'node:path';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { CollectionsModule } from '../collections/collections.module';
import { ModelsModule } from '../models/models.module';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { ChunkingService } from './chunking.service';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { EmbeddingQueueService } from './embedding-queue.service';
import { JobEvents } from './jobs/job-events';
import { JobItemLoader } from './jobs/job-item-loader';
import { JobRecovery } from './jobs/job-recovery';
import { JobRunner } from './jobs/job-runner.service';
import { JobSpool } from './jobs/job-spool';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { ParsingService } from './parsing.service';
import { UrlIngestionService } from './url-ingestion.service';

@Module({
  imports: [
    CollectionsModule,
    ModelsModule,
    VectorIndexModule,
    IdempotencyModule,
    MulterModule.registerAsync({
      inject: [SETTINGS],
      useFactory: (settings: Settings) => ({
        storage: memoryStorage(),
        limits: { fileSize: settings.limits.maxFileBytes, files: 1, fields: 10, fieldSize: 65536 },
      }),
    }),
  ],
  controllers: [DocumentsController, JobsController],
  providers: [
    DocumentsService,
    EmbeddingQueueService,
    ChunkingService,
    ParsingService,
    UrlIngestionService,
    {
      provide: JobSpool,
      inject: [SETTINGS],
      useFactory: (settings: Settings) => new JobSpool(path.join(settings.storageDir, 'jobs')),
    },
    JobEvents,
    JobItemLoader,
    JobRecovery,
    JobRunner,
    JobsService,
  ],
  exports: [
    DocumentsService,
    EmbeddingQueueService,
    ParsingService,
    UrlIngestionService,
    JobsService,
  ],
})
export class IngestionModule {}
