import { Module } from '@nestjs/common';
import { AnsweringModule } from '../answering/answering.module';
import { CollectionsModule } from '../collections/collections.module';
import { IngestionModule } from '../ingestion/ingestion.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { McpController } from './mcp.controller';
import { ServicesBackend } from './services-backend';

/** The MCP server on the same HTTP server: /mcp (Streamable HTTP). `ragd mcp` serves stdio. */
@Module({
  imports: [CollectionsModule, RetrievalModule, AnsweringModule, IngestionModule],
  controllers: [McpController],
  providers: [ServicesBackend],
})
export class McpModule {}
