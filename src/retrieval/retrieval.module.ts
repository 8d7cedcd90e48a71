import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { ModelsModule } from '../models/models.module';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { LexicalSearchService } from './lexical-search.service';
import { RetrievalService } from './retrieval.service';
import { SearchController } from './search.controller';

@Module({
  imports: [CollectionsModule, ModelsModule, VectorIndexModule],
  controllers: [SearchController],
  providers: [RetrievalService, LexicalSearchService],
  exports: [RetrievalService],
})
export class RetrievalModule {}
