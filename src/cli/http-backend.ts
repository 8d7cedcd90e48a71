import type {
  AnswerOutput,
  DocumentOutput,
  Passage,
  RagdBackend,
  SearchInput,
} from '../mcp/ragd-backend';
import { RagdClient, seg } from './ragd-client';

/** The MCP tools over the REST API of a running ragd (`ragd mcp`, stdio). */
export class HttpBackend implements RagdBackend {
  constructor(private readonly client: RagdClient) {}

  async listCollections(): Promise<{ name: string; documents: number; chunks: number }[]> {
    const res = await this.client.get<{
      collections: { name: string; counts: { documents: number; chunks: number } }[];
    }>('/v1/collections');
    return res.collections.map((c) => ({
      name: c.name,
      documents: c.counts.documents,
      chunks: c.counts.chunks,
    }));
  }

  search(
    collection: string,
    input: SearchInput,
  ): Promise<{ mode: string; modeReason?: string; results: Passage[] }> {
    return this.client.post(`/v1/collections/${seg(collection)}/search`, input);
  }

  ask(
    collection: string,
    input: { question: string; topK: number; filter?: Record<string, unknown> },
  ): Promise<AnswerOutput> {
    return this.client.post(`/v1/collections/${seg(collection)}/ask`, input);
  }

  async getDocument(collection: string, id: string): Promise<DocumentOutput> {
    const d = await this.client.get<Omit<DocumentOutput, 'chunks'> & { chunks: unknown[] }>(
      `/v1/collections/${seg(collection)}/documents/${seg(id)}`,
    );
    return { ...d, chunks: d.chunks.length };
  }

  async addDocument(
    collection: string,
    doc: { id?: string; title?: string; text: string; metadata?: Record<string, unknown> },
  ): Promise<{ id: string; chunks: number; status: string }> {
    const res = await this.client.post<{
      documents: { id: string; chunks: number; status: string }[];
    }>(`/v1/collections/${seg(collection)}/documents`, { documents: [doc] });
    return res.documents[0]!;
  }
}
