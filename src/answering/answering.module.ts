import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { AnsweringService } from './answering.service';

@Module({
  imports: [RetrievalModule, ModelsModule],
  providers: [AnsweringService],
  exports: [AnsweringService],
})
export class AnsweringModule {}
