import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { ModelsModule } from '../models/models.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { ReembedController } from './reembed.controller';
import { ReembedService } from './reembed.service';

@Module({
  imports: [CollectionsModule, IngestionModule, ModelsModule, VectorStoreModule],
  controllers: [ReembedController],
  providers: [ReembedService],
})
export class ReembedModule {}
