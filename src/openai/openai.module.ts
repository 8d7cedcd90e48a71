import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';

/** The OpenAI-compatible surface: clients written for OpenAI's API talk to local models. */
@Module({ imports: [ModelsModule], controllers: [EmbeddingsController], providers: [EmbeddingsService] })
export class OpenAiModule {}
