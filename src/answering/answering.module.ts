import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { AnsweringService } from './answering.service';
import { AskController } from './ask.controller';

@Module({
  imports: [RetrievalModule, ModelsModule],
  controllers: [AskController],
  providers: [AnsweringService],
  exports: [AnsweringService],
})
export class AnsweringModule {}
