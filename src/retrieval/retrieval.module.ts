import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { ModelsModule } from '../models/models.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { LexicalSearchService } from './lexical-search.service';
import { RetrievalService } from './retrieval.service';
import { SearchController } from './search.controller';

@Module({
  imports: [CollectionsModule, ModelsModule, VectorStoreModule],
  controllers: [SearchController],
  providers: [RetrievalService, LexicalSearchService],
  exports: [RetrievalService],
})
export class RetrievalModule {}
