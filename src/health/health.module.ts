import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { HealthController } from './health.controller';
import { ProbesController } from './probes.controller';

@Module({ imports: [ModelsModule], controllers: [HealthController, ProbesController] })
export class HealthModule {}
