import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { EvaluationController } from './evaluation.controller';
import { EvaluationService } from './evaluation.service';

@Module({
  imports: [CollectionsModule, RetrievalModule],
  controllers: [EvaluationController],
  providers: [EvaluationService],
  exports: [EvaluationService],
})
export class EvaluationModule {}
