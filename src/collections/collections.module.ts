import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ModelsModule } from '../models/models.module';
import { LexicalIndexModule } from '../lexical-index/lexical-index.module';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { CollectionsController } from './collections.controller';
import { CollectionsService } from './collections.service';

@Module({
  imports: [VectorIndexModule, LexicalIndexModule, IdempotencyModule, ModelsModule],
  controllers: [CollectionsController],
  providers: [CollectionsService],
  exports: [CollectionsService],
})
export class CollectionsModule {}
