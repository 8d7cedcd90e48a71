import { Module } from '@nestjs/common';
import { AnsweringModule } from '../answering/answering.module';
import { ModelsModule } from '../models/models.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';
import { RerankController } from './rerank.controller';
import { RerankService } from './rerank.service';

/** The OpenAI-compatible surface (and Cohere's /v1/rerank): clients of those APIs talk to our models. */
@Module({
  imports: [ModelsModule, AnsweringModule],
  controllers: [EmbeddingsController, ChatController, RerankController],
  providers: [EmbeddingsService, ChatService, RerankService],
})
export class OpenAiModule {}
