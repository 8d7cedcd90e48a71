import { Module } from '@nestjs/common';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { CollectionsService } from './collections.service';

@Module({
  imports: [VectorIndexModule],
  providers: [CollectionsService],
  exports: [CollectionsService],
})
export class CollectionsModule {}
