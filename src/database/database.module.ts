import { Global, Module } from '@nestjs/common';
import { CollectionsRepository } from './collections.repository';
import { DatabaseService } from './database.service';
import { DocumentsRepository } from './documents.repository';
import { ReembedRepository } from './reembed.repository';

@Global()
@Module({
  providers: [DatabaseService, CollectionsRepository, DocumentsRepository, ReembedRepository],
  exports: [DatabaseService, CollectionsRepository, DocumentsRepository, ReembedRepository],
})
export class DatabaseModule {}
