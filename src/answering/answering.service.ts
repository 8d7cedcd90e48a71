import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { InvalidInputError } from '../common/errors';
import { ModelsService } from '../models/models.service';
import { RetrievalService, SearchHit, SearchMode, SearchRequest } from '../retrieval/retrieval.service';
import { DocumentsRepository } from '../database/documents.repository';
import { checkCitations } from './citations';
import { extractAnswer } from './extractive';
import { ContextChunk, PackedSource, packContext } from './prompt';

export interface AskRequest extends Omit<SearchRequest, 'query' | 'explain'> {
  question: string;
  maxTokens?: number;
  temperature: number;
  /** Neighbouring chunks added on each side of every retrieved chunk. */
  neighbors: number;
}

export interface Citation {
  n: number;
  documentId: string;
  chunkId: number;
  title: string | null;
  text: string;
  start: number;
  end: number;
  score: number;
  /** The headings the cited text is under, "Methods > Training"; null when its document has none. */
  sectionPath: string | null;
  /** Pages of the cited text; null when its document is not paged. */
  pageStart: number | null;
  pageEnd: number | null;
}

export interface AskResponse {
  answer: string;
  citations: Citation[];
  /** generative: the model wrote the answer; extractive: sentences quoted from the sources. */
  mode: 'generative' | 'extractive';
  /** Why the answer is extractive, when it is. */
  modeReason?: string;
  model: string | null;
  retrieval: { mode: SearchMode; modeReason?: string; chunks: number };
  /** Citation numbers the model produced that match no source; removed from the answer. */
  invalidCitations: number[];
  usage: { promptTokens: number; completionTokens: number };
  timings: { retrieveMs: number; generateMs: number; totalMs: number };
}

export const NOT_FOUND_ANSWER = 'Not found in the documents: nothing in this collection matches the question.';

@Injectable()
export class AnsweringService {
  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly retrieval: RetrievalService,
    private readonly models: ModelsService,
    private readonly documents: DocumentsRepository,
  ) {}

  /**
   * Widens each hit to the span of its neighbouring chunks (same document, ordinal +- n), merging
   * hits whose spans overlap, so the generator sees whole passages, not fragments.
   */
  private widen(hits: SearchHit[], n: number): ContextChunk[] {
    const out: ContextChunk[] = [];
    for (const h of hits) {
      const span = this.documents.span(h.chunkId, n);
      if (!span) continue;
      const same = out.find((c) => c.documentId === h.documentId && span.start < c.end && c.start < span.end);
      if (same) {
        same.start = Math.min(same.start, span.start);
        same.end = Math.max(same.end, span.end);
        same.text = span.documentText.slice(same.start, same.end);
        same.pageStart = minPage(same.pageStart, span.pageStart);
        same.pageEnd = maxPage(same.pageEnd, span.pageEnd);
        continue;
      }
      out.push({
        ...toContext(h),
        text: span.documentText.slice(span.start, span.end),
        start: span.start,
        end: span.end,
        pageStart: span.pageStart,
        pageEnd: span.pageEnd,
      });
    }
    return out;
  }

  async ask(collection: string, req: AskRequest, signal?: AbortSignal): Promise<AskResponse> {
    const t0 = performance.now();
    if (!req.question.trim()) throw new InvalidInputError('question must not be blank');
    const { question, maxTokens: askedTokens, temperature, neighbors, ...retrievalOptions } = req;
    const retrieved = await this.retrieval.search(collection, { ...retrievalOptions, query: question });
    const retrieveMs = performance.now() - t0;
    const retrieval = { mode: retrieved.mode, ...(retrieved.modeReason ? { modeReason: retrieved.modeReason } : {}), chunks: retrieved.results.length };
    const chunks = neighbors > 0 ? this.widen(retrieved.results, neighbors) : retrieved.results.map(toContext);
    const { model, dtype } = this.settings.generation;
    const base = { retrieval, invalidCitations: [] as number[] };
    const timings = (generateMs: number) => ({ retrieveMs: round(retrieveMs), generateMs: round(generateMs), totalMs: round(performance.now() - t0) });

    if (chunks.length === 0) {
      return { ...base, answer: NOT_FOUND_ANSWER, citations: [], mode: 'extractive', modeReason: 'no chunk matched the question', model: null, usage: { promptTokens: 0, completionTokens: 0 }, timings: timings(0) };
    }

    const status = await this.models.ensure('generation', model, dtype);
    const count = status.state === 'ready' ? await this.models.textTokenCounter(model) : undefined;
    if (status.state !== 'ready' || !count) {
      const t1 = performance.now();
      const sentences = extractAnswer(question, chunks);
      const reason = `generation model ${model} is ${status.state}${status.reason ? `: ${status.reason}` : ''}`;
      if (sentences.length === 0) {
        return { ...base, answer: NOT_FOUND_ANSWER, citations: [], mode: 'extractive', modeReason: reason, model: null, usage: { promptTokens: 0, completionTokens: 0 }, timings: timings(performance.now() - t1) };
      }
      // Each quoted sentence cites the chunk it comes from; the citation's span is the sentence.
      const order = [...new Set(sentences.map((s) => s.n))];
      const citations: Citation[] = order.map((n, i) => {
        return toCitation({ ...chunks[n - 1]!, n: i + 1 });
      });
      const answer = sentences.map((s) => `${s.text} [${order.indexOf(s.n) + 1}]`).join(' ');
      return { ...base, answer, citations, mode: 'extractive', modeReason: reason, model: null, usage: { promptTokens: 0, completionTokens: 0 }, timings: timings(performance.now() - t1) };
    }

    const maxTokens = Math.min(askedTokens ?? this.settings.generation.maxTokens, this.settings.generation.contextTokens - 64);
    const contextTokens = Math.min(this.settings.generation.contextTokens, status.maxTokens ?? Infinity);
    const packed = packContext(chunks, question, count, contextTokens - maxTokens);
    if (packed.sources.length === 0) {
      throw new InvalidInputError(`No retrieved chunk fits the generator's context of ${contextTokens} tokens with maxTokens ${maxTokens}; lower maxTokens`);
    }
    const t1 = performance.now();
    const out = await this.models.generate(model, dtype, packed.messages, { maxTokens, temperature, signal });
    const checked = checkCitations(out.text, packed.sources.length);
    return {
      ...base,
      answer: checked.text,
      citations: checked.cited.map((n) => toCitation(packed.sources[n - 1]!)),
      invalidCitations: checked.invalid,
      mode: 'generative',
      model,
      usage: { promptTokens: out.promptTokens, completionTokens: out.completionTokens },
      timings: timings(performance.now() - t1),
    };
  }
}

function toContext(h: SearchHit): ContextChunk {
  const { documentId, chunkId, title, text, start, end, score, sectionPath, pageStart, pageEnd } = h;
  return { documentId, chunkId, title, text, start, end, score, sectionPath, pageStart, pageEnd };
}

function toCitation(s: PackedSource): Citation {
  const { n, documentId, chunkId, title, text, start, end, score, sectionPath, pageStart, pageEnd } = s;
  return { n, documentId, chunkId, title, text, start, end, score, sectionPath, pageStart, pageEnd };
}

const minPage = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxPage = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

const round = (ms: number) => Math.round(ms * 100) / 100;
