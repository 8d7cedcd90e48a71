import { Module } from '@nestjs/common';
import { OriginalFiles } from './original-files';

/** The kept bytes of uploaded and fetched files: written by ingestion, removed with their collection. */
@Module({ providers: [OriginalFiles], exports: [OriginalFiles] })
export class OriginalsModule {}
