import { Module } from '@nestjs/common';
import { ModelRegistryService } from './model-registry.service';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';

@Module({
  controllers: [ModelsController],
  providers: [ModelsService, ModelRegistryService],
  exports: [ModelsService, ModelRegistryService],
})
export class ModelsModule {}
