import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Dtype, Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { InvalidInputError, ModelUnavailableError } from '../common/errors';
import { ModelRegistryService } from '../models/model-registry.service';
import { Generator } from '../engines/generator';
import type { GenerateResult } from '../engines/chat';
import {
  RetrievalService,
  SearchHit,
  SearchMode,
  SearchRequest,
} from '../retrieval/retrieval.service';
import { DocumentsRepository } from '../database/documents.repository';
import { checkCitations } from './citations';
import { checkGrounding, contentTerms, relevance } from './guardrails';
import { extractAnswer } from './extractive';
import { ContextChunk, PackedSource, packContext } from './prompt';
import { NO_TELEMETRY, Telemetry } from '../common/telemetry';

export interface AskRequest extends Omit<SearchRequest, 'query' | 'explain'> {
  question: string;
  /** Generation model and precision for this request (default: GENERATION_MODEL, GENERATION_DTYPE). */
  model?: string;
  dtype?: Dtype;
  maxTokens?: number;
  temperature: number;
  /** Neighbouring chunks added on each side of every retrieved chunk. */
  neighbors: number;
  /** Retrieved chunks less relevant than this (0-1) are left out; none left: the answer is refused. Default ANSWER_MIN_RELEVANCE. */
  minRelevance?: number;
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
  /** Nothing retrieved was relevant enough (minRelevance): the answer says so instead of guessing. */
  refused: boolean;
  /** The answer's sentences are supported by the sources they cite (always true for quoted and refused answers). */
  grounded: boolean;
  /** For a generated answer: the share of its sentences supported, and those that are not. */
  grounding?: { support: number; unsupported: string[] };
  usage: { promptTokens: number; completionTokens: number };
  timings: { retrieveMs: number; generateMs: number; totalMs: number };
}

/** What a streaming caller hears while the answer is made. */
export interface AskStream {
  /** The numbered sources the answer may cite, before any token. */
  onSources(sources: Citation[], retrieval: AskResponse['retrieval']): void;
  /** Each piece of generated text as it comes (an extractive answer comes as one piece). */
  onToken(text: string): void;
}

export const NOT_FOUND_ANSWER =
  'Not found in the documents: nothing in this collection matches the question.';

@Injectable()
export class AnsweringService {
  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly retrieval: RetrievalService,
    private readonly generator: Generator,
    private readonly documents: DocumentsRepository,
    private readonly registry: ModelRegistryService,
    @Optional() private readonly telemetry: Telemetry = NO_TELEMETRY,
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
      const same = out.find(
        (c) => c.documentId === h.documentId && span.start < c.end && c.start < span.end,
      );
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

  /** The best supporting sentences, quoted with citations: the answer when no model can write one. */
  private extractive(
    question: string,
    chunks: ContextChunk[],
    reason: string,
    base: Pick<AskResponse, 'retrieval' | 'invalidCitations' | 'refused' | 'grounded'>,
    timings: (generateMs: number) => AskResponse['timings'],
    stream?: AskStream,
  ): AskResponse {
    const retrieval = base.retrieval;
    const t1 = performance.now();
    const sentences = extractAnswer(question, chunks);
    if (sentences.length === 0) {
      stream?.onSources([], retrieval);
      stream?.onToken(NOT_FOUND_ANSWER);
      return {
        ...base,
        answer: NOT_FOUND_ANSWER,
        citations: [],
        mode: 'extractive',
        modeReason: reason,
        model: null,
        usage: { promptTokens: 0, completionTokens: 0 },
        timings: timings(performance.now() - t1),
      };
    }
    // Each quoted sentence cites the chunk it comes from; the citation's span is the sentence.
    const order = [...new Set(sentences.map((s) => s.n))];
    const citations: Citation[] = order.map((n, i) => {
      return toCitation({ ...chunks[n - 1]!, n: i + 1 });
    });
    const answer = sentences.map((s) => `${s.text} [${order.indexOf(s.n) + 1}]`).join(' ');
    stream?.onSources(citations, retrieval);
    stream?.onToken(answer);
    return {
      ...base,
      answer,
      citations,
      mode: 'extractive',
      modeReason: reason,
      model: null,
      usage: { promptTokens: 0, completionTokens: 0 },
      timings: timings(performance.now() - t1),
    };
  }

  async ask(
    collection: string,
    req: AskRequest,
    signal?: AbortSignal,
    stream?: AskStream,
  ): Promise<AskResponse> {
    const result = await this.answer(collection, req, signal, stream);
    this.telemetry.answer(result.refused ? 'refused' : result.mode);
    if (result.mode === 'generative') this.telemetry.stage('generate', result.timings.generateMs);
    return result;
  }

  private async answer(
    collection: string,
    req: AskRequest,
    signal?: AbortSignal,
    stream?: AskStream,
  ): Promise<AskResponse> {
    const t0 = performance.now();
    if (!req.question.trim()) throw new InvalidInputError('question must not be blank');
    const {
      question,
      maxTokens: askedTokens,
      temperature,
      neighbors,
      model: askedModel,
      dtype: askedDtype,
      minRelevance,
      ...retrievalOptions
    } = req;
    // A model asked for by name must exist (404 listing what does); the default may be unavailable (extractive).
    const { model, dtype } = askedModel
      ? {
          model: askedModel,
          dtype: this.registry.resolve(askedModel, { task: 'generation', dtype: askedDtype }).dtype,
        }
      : {
          model: this.settings.generation.model,
          dtype: askedDtype ?? this.settings.generation.dtype,
        };
    const retrieved = await this.retrieval.search(collection, {
      ...retrievalOptions,
      query: question,
      explain: true,
    });
    const retrieveMs = performance.now() - t0;
    const retrieval = {
      mode: retrieved.mode,
      ...(retrieved.modeReason ? { modeReason: retrieved.modeReason } : {}),
      chunks: retrieved.results.length,
    };
    // Chunks that do not speak to the question are left out: better "not found" than an answer made from noise.
    const threshold = minRelevance ?? this.settings.answer.minRelevance;
    const terms = contentTerms(question);
    const relevant = retrieved.results.filter((r) => relevance(terms, r) >= threshold);
    const chunks = neighbors > 0 ? this.widen(relevant, neighbors) : relevant.map(toContext);
    const refusal = retrieved.results.length > 0 && relevant.length === 0;
    const base = { retrieval, invalidCitations: [] as number[], refused: false, grounded: true };
    const timings = (generateMs: number) => ({
      retrieveMs: round(retrieveMs),
      generateMs: round(generateMs),
      totalMs: round(performance.now() - t0),
    });

    if (chunks.length === 0) {
      stream?.onSources([], retrieval);
      stream?.onToken(NOT_FOUND_ANSWER);
      const best = Math.max(0, ...retrieved.results.map((r) => relevance(terms, r)));
      const why = refusal
        ? `nothing retrieved is relevant enough: best relevance ${best.toFixed(2)} < minRelevance ${threshold}`
        : 'no chunk matched the question';
      return {
        ...base,
        refused: true,
        answer: NOT_FOUND_ANSWER,
        citations: [],
        mode: 'extractive',
        modeReason: why,
        model: null,
        usage: { promptTokens: 0, completionTokens: 0 },
        timings: timings(0),
      };
    }

    const status = await this.generator.ensure({ id: model, dtype: dtype });
    if (askedModel && status.state !== 'ready')
      throw new ModelUnavailableError(model, status.reason ?? status.state);
    const count =
      status.state === 'ready' ? await this.generator.textTokenCounter(model) : undefined;
    if (status.state !== 'ready' || !count) {
      const reason = `generation model ${model} is ${status.state}${status.reason ? `: ${status.reason}` : ''}`;
      return this.extractive(question, chunks, reason, base, timings, stream);
    }

    const maxTokens = Math.min(
      askedTokens ?? this.settings.generation.maxTokens,
      this.settings.generation.contextTokens - 64,
    );
    const contextTokens = Math.min(
      this.settings.generation.contextTokens,
      status.maxTokens ?? Infinity,
    );
    const packed = packContext(chunks, question, count, contextTokens - maxTokens);
    if (packed.sources.length === 0) {
      throw new InvalidInputError(
        `No retrieved chunk fits the generator's context of ${contextTokens} tokens with maxTokens ${maxTokens}; lower maxTokens`,
      );
    }
    const t1 = performance.now();
    let streamed = false;
    let out: GenerateResult;
    try {
      out = await this.generator.generate({ id: model, dtype: dtype }, packed.messages, {
        maxTokens,
        temperature,
        signal,
        onToken: (t) => {
          if (!streamed) stream?.onSources(packed.sources.map(toCitation), retrieval);
          streamed = true;
          stream?.onToken(t);
        },
      });
    } catch (e) {
      // The model failed after it was found ready (a remote engine went down) and nothing was
      // streamed: answer extractively, as with no model, unless the model was asked for by name.
      if (askedModel || streamed || !(e instanceof ModelUnavailableError)) throw e;
      const reason = `generation model ${model} failed: ${e.message}`;
      return this.extractive(question, chunks, reason, base, timings, stream);
    }
    if (!streamed) stream?.onSources(packed.sources.map(toCitation), retrieval);
    const checked = checkCitations(out.text, packed.sources.length);
    const { grounded, ...grounding } = checkGrounding(checked.text, packed.sources);
    return {
      ...base,
      grounded,
      grounding,
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
  const { documentId, chunkId, title, text, start, end, score, sectionPath, pageStart, pageEnd } =
    h;
  return { documentId, chunkId, title, text, start, end, score, sectionPath, pageStart, pageEnd };
}

function toCitation(s: PackedSource): Citation {
  const {
    n,
    documentId,
    chunkId,
    title,
    text,
    start,
    end,
    score,
    sectionPath,
    pageStart,
    pageEnd,
  } = s;
  return {
    n,
    documentId,
    chunkId,
    title,
    text,
    start,
    end,
    score,
    sectionPath,
    pageStart,
    pageEnd,
  };
}

const minPage = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.min(a, b);
const maxPage = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.max(a, b);

const round = (ms: number) => Math.round(ms * 100) / 100;
