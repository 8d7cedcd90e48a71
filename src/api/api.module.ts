import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { AnsweringModule } from '../answering/answering.module';
import { CollectionsModule } from '../collections/collections.module';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { CollectionsController } from './collections.controller';
import { DocumentFileController } from './document-file.controller';
import { DocumentsController } from './documents.controller';
import { JobsController } from './jobs.controller';
import { SearchController } from './search.controller';

@Module({
  imports: [
    CollectionsModule,
    IngestionModule,
    RetrievalModule,
    AnsweringModule,
    IdempotencyModule,
    MulterModule.registerAsync({
      inject: [SETTINGS],
      useFactory: (settings: Settings) => ({
        storage: memoryStorage(),
        limits: { fileSize: settings.limits.maxFileBytes, files: 1, fields: 10, fieldSize: 65536 },
      }),
    }),
  ],
  controllers: [
    CollectionsController,
    DocumentsController,
    DocumentFileController,
    SearchController,
    JobsController,
  ],
})
export class ApiModule {}
