import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { GenerateResult } from '../../chat';
import { ReplicaFailure, displayUrl } from './remote-http';

/** What has come of a streamed chat completion so far. */
export interface StreamState {
  text: string;
  /** Pieces of content passed on to onToken: once there is one, the call is never repeated. */
  pieces: number;
  finishReason?: 'stop' | 'length';
  promptTokens?: number;
  completionTokens?: number;
  done: boolean;
}

interface ChunkJson {
  choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
  usage?: { prompt_tokens?: unknown; completion_tokens?: unknown } | null;
  error?: unknown;
}

/**
 * Reads an OpenAI chat.completion.chunk event stream (server-sent events, `data: [DONE]` at the
 * end) into `state`, passing each piece of content to onToken. A malformed event, an error event,
 * a stream that ends before [DONE] and no event within idleMs are failures of the replica.
 */
export async function readChatStream(
  res: Response,
  url: string,
  state: StreamState,
  options: { onToken?: (t: string) => void; idleMs: number; controller: AbortController },
): Promise<void> {
  const where = displayUrl(url);
  const fail = (kind: ReplicaFailure['kind'], why: string) =>
    new ReplicaFailure(kind, `${where}/chat/completions: ${why}`, state.pieces === 0);
  if (!res.body) throw fail('malformed', 'the answer has no body');
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(
      () => options.controller.abort(fail('timeout', `no event within ${options.idleMs} ms`)),
      options.idleMs,
    );
  };
  try {
    arm();
    for (;;) {
      let chunk: { done: boolean; value?: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (e) {
        const reason: unknown = options.controller.signal.reason;
        if (reason instanceof ReplicaFailure) throw reason;
        if (options.controller.signal.aborted) throw e; // our caller's abort or time limit
        throw fail('unreachable', `the event stream broke off (${(e as Error).message})`);
      }
      if (chunk.done || !chunk.value) break;
      arm();
      parser.feed(decoder.decode(chunk.value, { stream: true }));
      for (const event of events.splice(0)) {
        take(event, state, options.onToken, fail);
        if (state.done) return;
      }
    }
    parser.feed(decoder.decode());
    for (const event of events.splice(0)) take(event, state, options.onToken, fail);
    if (!state.done) throw fail('malformed', 'the event stream ended before data: [DONE]');
  } finally {
    clearTimeout(idle);
    reader.releaseLock();
  }
}

function take(
  event: EventSourceMessage,
  state: StreamState,
  onToken: ((t: string) => void) | undefined,
  fail: (kind: ReplicaFailure['kind'], why: string) => ReplicaFailure,
): void {
  if (event.data.trim() === '[DONE]') {
    state.done = true;
    return;
  }
  let chunk: ChunkJson;
  try {
    chunk = JSON.parse(event.data) as ChunkJson;
  } catch {
    throw fail('malformed', `a malformed event: ${JSON.stringify(event.data.slice(0, 120))}`);
  }
  if (chunk === null || typeof chunk !== 'object')
    throw fail('malformed', `an event that is not an object: ${event.data.slice(0, 120)}`);
  if (chunk.error !== undefined) {
    const e = chunk.error as { message?: unknown };
    throw fail(
      'http',
      `an error event: ${typeof e?.message === 'string' ? e.message : JSON.stringify(chunk.error).slice(0, 300)}`,
    );
  }
  const choice = chunk.choices?.[0];
  const content = choice?.delta?.content;
  if (typeof content === 'string' && content.length > 0) {
    state.text += content;
    state.pieces++;
    onToken?.(content);
  }
  if (choice?.finish_reason === 'length') state.finishReason = 'length';
  else if (typeof choice?.finish_reason === 'string') state.finishReason = 'stop';
  const usage = chunk.usage;
  if (usage && typeof usage.prompt_tokens === 'number') state.promptTokens = usage.prompt_tokens;
  if (usage && typeof usage.completion_tokens === 'number')
    state.completionTokens = usage.completion_tokens;
}

/** The result; without usage from the server, our prompt count and one token an event. */
export function resultOf(
  state: StreamState,
  promptEstimate: number,
  cancelled: boolean,
): GenerateResult {
  return {
    text: state.text,
    promptTokens: state.promptTokens ?? promptEstimate,
    completionTokens: state.completionTokens ?? state.pieces,
    finishReason: cancelled ? 'cancelled' : (state.finishReason ?? 'stop'),
  };
}
