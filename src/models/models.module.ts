import { Module } from '@nestjs/common';
import { EnginesModule } from '../engines/engines.module';
import { ModelRegistryService } from './model-registry.service';
import { ModelStoreService } from './model-store.service';
import { ModelsController } from './models.controller';

@Module({
  imports: [EnginesModule],
  controllers: [ModelsController],
  providers: [ModelRegistryService, ModelStoreService],
  exports: [ModelRegistryService, EnginesModule],
})
export class ModelsModule {}
