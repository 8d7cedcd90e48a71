import { Module } from '@nestjs/common';
import { ReanalysisService } from './reanalysis.service';

@Module({
  providers: [ReanalysisService],
  exports: [ReanalysisService],
})
export class LexicalIndexModule {}
