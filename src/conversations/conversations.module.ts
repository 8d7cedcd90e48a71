import { Module } from '@nestjs/common';
import { AnsweringModule } from '../answering/answering.module';
import { CollectionsModule } from '../collections/collections.module';
import { ModelsModule } from '../models/models.module';
import { ConversationsController } from './conversations.controller';
import { ConversationsService } from './conversations.service';

@Module({
  imports: [AnsweringModule, CollectionsModule, ModelsModule],
  controllers: [ConversationsController],
  providers: [ConversationsService],
})
export class ConversationsModule {}
