import { Global, Module } from '@nestjs/common';
import { CollectionsRepository } from './collections.repository';
import { DatabaseService } from './database.service';
import { DocumentsRepository } from './documents.repository';

@Global()
@Module({
  providers: [DatabaseService, CollectionsRepository, DocumentsRepository],
  exports: [DatabaseService, CollectionsRepository, DocumentsRepository],
})
export class DatabaseModule {}
