import { Module } from '@nestjs/common';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ModelsModule } from '../models/models.module';
import { LexicalIndexModule } from '../lexical-index/lexical-index.module';
import { OriginalsModule } from '../originals/originals.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { CollectionsController } from './collections.controller';
import { CollectionsService } from './collections.service';

@Module({
  imports: [
    VectorStoreModule,
    LexicalIndexModule,
    IdempotencyModule,
    ModelsModule,
    OriginalsModule,
  ],
  controllers: [CollectionsController],
  providers: [CollectionsService],
  exports: [CollectionsService],
})
export class CollectionsModule {}
