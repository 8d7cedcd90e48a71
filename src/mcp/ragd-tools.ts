import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { VERSION } from '../common/version';
import type { Passage, RagdBackend } from './ragd-backend';

/** Longest document text get_document returns unless asked for more (an agent's context is finite). */
const DEFAULT_MAX_CHARS = 20_000;

/** Whether this caller may read or write a collection (its API key's scopes; always, for stdio). */
export type AccessCheck = (need: 'read' | 'write', collection: string) => boolean;

const collection = z.string().min(1).max(256).describe('Collection name (list_collections)');
const filter = z
  .record(z.string(), z.unknown())
  .optional()
  .describe('Metadata filter: {"field": value}, {"field": {"$in": [...]}}, $and/$or/$not ...');

/**
 * ragd's MCP server: the tools list_collections, search, ask, get_document and add_document over
 * a backend. Tool errors (no such collection, refused input) come back as tool results with
 * isError, which the model reads; protocol errors stay for malformed calls.
 */
export function createRagdMcpServer(backend: RagdBackend, may: AccessCheck = () => true) {
  const refused = (need: 'read' | 'write', name: string) =>
    error(`This key may not ${need} collection '${name}'`);
  const server = new McpServer({ name: 'ragd', version: VERSION });

  server.registerTool(
    'list_collections',
    {
      title: 'List collections',
      description: 'The collections of this ragd server, with their document and chunk counts.',
      inputSchema: {},
    },
    () =>
      run(async () => json((await backend.listCollections()).filter((c) => may('read', c.name)))),
  );

  server.registerTool(
    'search',
    {
      title: 'Search a collection',
      description:
        'Find the passages of a collection most relevant to a query (hybrid dense + lexical by default). Each result has its document, page and text.',
      inputSchema: {
        collection,
        query: z.string().min(1).max(4000),
        mode: z.enum(['hybrid', 'dense', 'lexical']).optional(),
        topK: z.number().int().min(1).max(50).default(5),
        filter,
      },
    },
    (a) =>
      run(async () => {
        if (!may('read', a.collection)) return refused('read', a.collection);
        const res = await backend.search(a.collection, {
          query: a.query,
          topK: a.topK,
          ...(a.mode ? { mode: a.mode } : {}),
          ...(a.filter ? { filter: a.filter } : {}),
        });
        return json({
          mode: res.mode,
          ...(res.modeReason ? { modeReason: res.modeReason } : {}),
          results: res.results.map(passage),
        });
      }),
  );

  server.registerTool(
    'ask',
    {
      title: 'Ask a collection',
      description:
        'Answer a question from the documents of a collection, with numbered citations [n]: each names its document, page and the passage quoted.',
      inputSchema: {
        collection,
        question: z.string().min(1).max(4000),
        topK: z.number().int().min(1).max(50).default(5),
        filter,
      },
    },
    (a) =>
      run(async () => {
        if (!may('read', a.collection)) return refused('read', a.collection);
        const res = await backend.ask(a.collection, {
          question: a.question,
          topK: a.topK,
          ...(a.filter ? { filter: a.filter } : {}),
        });
        const sources = res.citations.map(
          (c) => `[${c.n}] ${c.documentId}${pages(c)}: ${c.text.replace(/\s+/g, ' ').trim()}`,
        );
        return {
          content: [
            {
              type: 'text',
              text: [res.answer, sources.length ? `\nSources:\n${sources.join('\n')}` : ''].join(
                '',
              ),
            },
            {
              type: 'text',
              text: JSON.stringify({
                mode: res.mode,
                ...(res.modeReason ? { modeReason: res.modeReason } : {}),
                refused: res.refused,
                citations: res.citations.map((c) => ({ n: c.n, ...passage(c) })),
              }),
            },
          ],
        };
      }),
  );

  server.registerTool(
    'get_document',
    {
      title: 'Get a document',
      description: "A document's title, metadata and text (cut at maxChars).",
      inputSchema: {
        collection,
        id: z.string().min(1).max(256),
        maxChars: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_CHARS),
      },
    },
    (a) =>
      run(async () => {
        if (!may('read', a.collection)) return refused('read', a.collection);
        const d = await backend.getDocument(a.collection, a.id);
        return json({
          id: d.id,
          title: d.title,
          contentType: d.contentType,
          metadata: d.metadata,
          chunks: d.chunks,
          characters: d.text.length,
          truncated: d.text.length > a.maxChars,
          text: d.text.slice(0, a.maxChars),
        });
      }),
  );

  server.registerTool(
    'add_document',
    {
      title: 'Add a document',
      description:
        'Store a text document in a collection (chunked, indexed and embedded). The same id with the same text is left unchanged.',
      inputSchema: {
        collection,
        text: z.string().min(1).max(5_000_000),
        id: z.string().min(1).max(256).optional(),
        title: z.string().max(1000).optional(),
        metadata: z.record(z.string(), z.unknown()).optional(),
      },
    },
    (a) =>
      run(async () => {
        if (!may('write', a.collection)) return refused('write', a.collection);
        const { collection: name, ...doc } = a;
        return json(await backend.addDocument(name, doc));
      }),
  );

  return server;
}

function passage(p: Passage) {
  return {
    documentId: p.documentId,
    title: p.title,
    pageStart: p.pageStart,
    pageEnd: p.pageEnd,
    score: p.score,
    text: p.text,
  };
}

const pages = (p: Passage) =>
  p.pageStart === null
    ? ''
    : p.pageEnd !== null && p.pageEnd !== p.pageStart
      ? ` (pages ${p.pageStart}-${p.pageEnd})`
      : ` (page ${p.pageStart})`;

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});

const error = (message: string): CallToolResult => ({
  isError: true,
  content: [{ type: 'text', text: message }],
});

async function run(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (e) {
    return error(e instanceof Error ? e.message : String(e));
  }
}
