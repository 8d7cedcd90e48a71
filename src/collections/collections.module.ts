import { Module } from '@nestjs/common';
import { LexicalIndexModule } from '../lexical-index/lexical-index.module';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { CollectionsService } from './collections.service';

@Module({
  imports: [VectorIndexModule, LexicalIndexModule],
  providers: [CollectionsService],
  exports: [CollectionsService],
})
export class CollectionsModule {}
