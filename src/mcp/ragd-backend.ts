/**
 * What the MCP tools need of ragd, in ragd's own JSON shapes: the services in-process (the /mcp
 * route) or the REST API of a running server (`ragd mcp` over stdio). Two real implementations,
 * so the tools are written once.
 */
export interface SearchInput {
  query: string;
  topK: number;
  mode?: 'hybrid' | 'dense' | 'lexical';
  filter?: Record<string, unknown>;
}

export interface Passage {
  documentId: string;
  title: string | null;
  text: string;
  score: number;
  pageStart: number | null;
  pageEnd: number | null;
  sectionPath?: string | null;
}

export interface AnswerOutput {
  answer: string;
  mode: string;
  modeReason?: string;
  refused: boolean;
  citations: (Passage & { n: number })[];
}

export interface DocumentOutput {
  id: string;
  title: string | null;
  contentType: string;
  metadata: Record<string, unknown>;
  text: string;
  /** How many chunks it was split into. */
  chunks: number;
}

export abstract class RagdBackend {
  abstract listCollections(): Promise<{ name: string; documents: number; chunks: number }[]>;
  abstract search(
    collection: string,
    input: SearchInput,
  ): Promise<{ mode: string; modeReason?: string; results: Passage[] }>;
  abstract ask(
    collection: string,
    input: { question: string; topK: number; filter?: Record<string, unknown> },
  ): Promise<AnswerOutput>;
  abstract getDocument(collection: string, id: string): Promise<DocumentOutput>;
  abstract addDocument(
    collection: string,
    doc: { id?: string; title?: string; text: string; metadata?: Record<string, unknown> },
  ): Promise<{ id: string; chunks: number; status: string }>;
}
