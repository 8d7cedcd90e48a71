import { Global, Module } from '@nestjs/common';
import { CollectionsRepository } from './collections.repository';
import { ConversationsRepository } from './conversations.repository';
import { DatabaseService } from './database.service';
import { DocumentsRepository } from './documents.repository';
import { JobsRepository } from './jobs.repository';
import { LexicalRepository } from './lexical.repository';
import { ReembedRepository } from './reembed.repository';
import { StatsRepository } from './stats.repository';

@Global()
@Module({
  providers: [
    DatabaseService,
    CollectionsRepository,
    DocumentsRepository,
    ReembedRepository,
    ConversationsRepository,
    JobsRepository,
    StatsRepository,
    LexicalRepository,
  ],
  exports: [
    DatabaseService,
    CollectionsRepository,
    DocumentsRepository,
    ReembedRepository,
    ConversationsRepository,
    JobsRepository,
    StatsRepository,
    LexicalRepository,
  ],
})
export class DatabaseModule {}
