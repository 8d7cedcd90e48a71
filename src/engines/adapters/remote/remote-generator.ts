import {
  GenerationTimeoutError,
  InvalidInputError,
  RemoteEngineError,
  ServerBusyError,
} from '../../../common/errors';
import type { Telemetry } from '../../../common/telemetry';
import type { ModelDeclaration } from '../../../config/model-declarations';
import type { ChatMessage, GenerateOptions, GenerateResult } from '../../chat';
import { Generator } from '../../generator';
import type { ModelRef } from '../../model-status';
import { estimateTokenCounter } from '../../token-counter';
import type { LocalTokenizers } from '../transformers/local-tokenizers';
import { readChatStream, resultOf, type StreamState } from './chat-stream';
import { ReplicaFailure, UpstreamRefused, isAbort, send } from './remote-http';
import { RemoteModels, type RemoteModel } from './remote-models';
import { serverModelInfo } from './server-model-info';

/** Tokens a chat template adds around each message (role markers), as a margin. */
const PER_MESSAGE_TOKENS = 4;

export interface RemoteGeneratorOptions {
  /** Longest generation, from the first request (GENERATION_TIMEOUT_MS). */
  timeoutMs: number;
  /** Context size when the server does not say (GENERATION_CONTEXT_TOKENS). */
  contextTokens: number;
  probeMaxMs: number;
  /** Where replica failures are counted (the metrics). */
  telemetry?: Telemetry;
}

/**
 * Generation models on OpenAI-compatible servers: `POST {base}/chat/completions` with
 * `stream: true`, read as server-sent events, usage at the end (stream_options.include_usage).
 * Aborting the signal closes the connection, which stops the server's generation. A call that
 * fails before any text is tried on another replica; once text has streamed it never is.
 */
export class RemoteGenerator extends Generator {
  protected readonly models: RemoteModels;
  private readonly running = new Map<string, number>();

  constructor(
    declarations: ModelDeclaration[],
    private readonly tokenizers: LocalTokenizers,
    private readonly options: RemoteGeneratorOptions,
  ) {
    super();
    this.models = new RemoteModels({
      task: 'generation',
      declarations: declarations.filter((d) => d.task === 'generation'),
      defaultMaxTokens: options.contextTokens,
      probeMaxMs: options.probeMaxMs,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
      probe: (m, url) => this.probe(m, url),
      tokenCounterOf: async (m) =>
        (await this.tokenizers.textTokenCounter(m.remote.tokenizer))
          ? m.remote.tokenizer
          : estimateTokenCounter.name,
    });
  }

  get remoteModels(): RemoteModels {
    return this.models;
  }

  /** The tokenizer in MODELS_DIR when it is there, else the estimate (no special tokens). */
  async textTokenCounter(modelId: string): Promise<((text: string) => number) | undefined> {
    const m = this.models.get(modelId);
    if (!m) return undefined;
    return (
      (await this.tokenizers.textTokenCounter(m.remote.tokenizer)) ??
      ((text: string) => estimateTokenCounter.count(text) - 2)
    );
  }

  async generate(
    ref: ModelRef,
    messages: ChatMessage[],
    options: GenerateOptions,
  ): Promise<GenerateResult> {
    const m = await this.models.ready(ref);
    const running = this.running.get(m.id) ?? 0;
    const limit = m.remote.queueLimit;
    if (running >= limit)
      throw new ServerBusyError(
        `Generation model '${m.id}' has ${running} requests waiting or running (GENERATION_QUEUE_LIMIT ${limit})`,
        5,
        { model: m.id, queued: running },
      );
    const count = (await this.textTokenCounter(m.id))!;
    const promptTokens = messages.reduce((n, x) => n + count(x.content) + PER_MESSAGE_TOKENS, 2);
    if (promptTokens >= m.maxTokens)
      throw new InvalidInputError(
        `The messages take about ${promptTokens} tokens; model '${m.id}' takes at most ${m.maxTokens}`,
        { model: m.id, promptTokens, maxTokens: m.maxTokens },
      );
    const state: StreamState = { text: '', pieces: 0, done: false };
    if (options.signal?.aborted) return resultOf(state, 0, true);
    const maxTokens = Math.max(1, Math.min(options.maxTokens, m.maxTokens - promptTokens));
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    const signal = options.signal
      ? AbortSignal.any([options.signal, deadline.signal])
      : deadline.signal;
    this.running.set(m.id, running + 1);
    try {
      await m.pool.run(
        async (url) => {
          Object.assign(state, { text: '', pieces: 0, done: false });
          const controller = new AbortController();
          const res = await send(
            'POST',
            `${url}/chat/completions`,
            {
              model: m.remote.model,
              messages,
              max_tokens: maxTokens,
              temperature: options.temperature,
              stream: true,
              stream_options: { include_usage: true },
            },
            {
              apiKey: m.remote.apiKey,
              timeoutMs: m.remote.timeoutMs,
              stream: true,
              signal,
              controller,
            },
          );
          await readChatStream(res, url, state, {
            onToken: options.onToken,
            idleMs: m.remote.timeoutMs,
            controller,
          });
        },
        { idempotent: false },
      );
      return resultOf(state, promptTokens, false);
    } catch (e) {
      if (options.signal?.aborted) return resultOf(state, promptTokens, true);
      if (deadline.signal.aborted) throw new GenerationTimeoutError(m.id, this.options.timeoutMs);
      if (isAbort(e)) throw e;
      throw this.explain(m, e, state);
    } finally {
      clearTimeout(timer);
      this.running.set(m.id, (this.running.get(m.id) ?? 1) - 1);
    }
  }

  private explain(m: RemoteModel, e: unknown, state: StreamState): unknown {
    if (e instanceof UpstreamRefused)
      return new RemoteEngineError(`Generation model '${m.id}' refused the request: ${e.message}`, {
        model: m.id,
        status: e.status,
      });
    if (e instanceof ReplicaFailure)
      return new RemoteEngineError(
        state.pieces > 0
          ? `Generation with '${m.id}' broke off after ${state.pieces} pieces of text (not repeated): ${e.message}`
          : `Generation with '${m.id}' failed: ${e.message}`,
        { model: m.id, streamed: state.pieces },
      );
    return e;
  }

  /** GET {base}/models: the server answers (and may say the context size); no generation is spent. */
  private async probe(m: RemoteModel, url: string) {
    const res = await send('GET', `${url}/models`, undefined, {
      apiKey: m.remote.apiKey,
      timeoutMs: m.remote.timeoutMs,
    }).catch((e: unknown) => {
      // A server without the list (404) is still up: it answered.
      if (e instanceof ReplicaFailure && / answered 404/.test(e.message)) return undefined;
      throw e;
    });
    await res?.body?.cancel();
    return serverModelInfo(url, m.remote, 'generation');
  }
}
