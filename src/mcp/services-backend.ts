import { Injectable } from '@nestjs/common';
import { AnsweringService } from '../answering/answering.service';
import { CollectionsService } from '../collections/collections.service';
import { DocumentsService } from '../ingestion/documents.service';
import { RetrievalService } from '../retrieval/retrieval.service';
import { AnswerOutput, DocumentOutput, Passage, RagdBackend, SearchInput } from './ragd-backend';

/** The MCP tools over the services, in the server's own process (the /mcp route). */
@Injectable()
export class ServicesBackend extends RagdBackend {
  constructor(
    private readonly collections: CollectionsService,
    private readonly retrieval: RetrievalService,
    private readonly answering: AnsweringService,
    private readonly documents: DocumentsService,
  ) {
    super();
  }

  listCollections(): Promise<{ name: string; documents: number; chunks: number }[]> {
    return Promise.resolve(
      this.collections
        .list()
        .map((c) => ({ name: c.name, documents: c.counts.documents, chunks: c.counts.chunks })),
    );
  }

  async search(
    collection: string,
    input: SearchInput,
  ): Promise<{ mode: string; modeReason?: string; results: Passage[] }> {
    return this.retrieval.search(collection, input);
  }

  async ask(
    collection: string,
    input: { question: string; topK: number; filter?: Record<string, unknown> },
  ): Promise<AnswerOutput> {
    return this.answering.ask(collection, { ...input, temperature: 0, neighbors: 0 });
  }

  getDocument(collection: string, id: string): Promise<DocumentOutput> {
    const d = this.documents.get(collection, id);
    return Promise.resolve({ ...d, chunks: d.chunks.length });
  }

  async addDocument(
    collection: string,
    doc: { id?: string; title?: string; text: string; metadata?: Record<string, unknown> },
  ): Promise<{ id: string; chunks: number; status: string }> {
    const res = await this.documents.add(collection, [{ ...doc, contentType: 'text/plain' }]);
    return res.documents[0]!;
  }
}
