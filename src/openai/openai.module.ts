import { Module } from '@nestjs/common';
import { AnsweringModule } from '../answering/answering.module';
import { ModelsModule } from '../models/models.module';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { EmbeddingsController } from './embeddings.controller';
import { EmbeddingsService } from './embeddings.service';

/** The OpenAI-compatible surface: clients written for OpenAI's API talk to local models. */
@Module({
  imports: [ModelsModule, AnsweringModule],
  controllers: [EmbeddingsController, ChatController],
  providers: [EmbeddingsService, ChatService],
})
export class OpenAiModule {}
