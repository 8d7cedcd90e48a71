/**
 * A streaming POST /v1/chat/completions as an OpenAI client makes it, timed: when the response
 * headers came, when the first piece of text came, when the last chunk (the one with the finish
 * reason) came, and the usage the server reports.
 */

export interface ChatStreamTiming {
  status: number;
  /** Retry-After of a refused request (503), seconds. */
  retryAfter?: string;
  /** From sending the request to the first chunk with text, ms. */
  firstTextMs?: number;
  /** From sending the request to the chunk with the finish reason, ms. */
  finishMs?: number;
  /** From sending the request to the end of the stream (or of the error body), ms. */
  endMs: number;
  text: string;
  finishReason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** An error event inside the stream, or the body of a refused request. */
  error?: string;
}

interface Chunk {
  choices?: { delta?: { content?: string }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number };
  error?: { message?: string };
}

export async function streamChat(
  baseUrl: string,
  body: Record<string, unknown>,
): Promise<ChatStreamTiming> {
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const res = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
  });
  const out: ChatStreamTiming = { status: res.status, endMs: 0, text: '' };
  if (res.status !== 200 || res.body === null) {
    out.retryAfter = res.headers.get('retry-after') ?? undefined;
    out.error = await res.text();
    out.endMs = since();
    return out;
  }
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      if (data === '' || data === '[DONE]') continue;
      const chunk = JSON.parse(data) as Chunk;
      if (chunk.error) out.error = chunk.error.message ?? data;
      if (chunk.usage) out.usage = chunk.usage;
      const choice = chunk.choices?.[0];
      const content = choice?.delta?.content ?? '';
      if (content !== '') {
        out.firstTextMs ??= since();
        out.text += content;
      }
      if (choice?.finish_reason) {
        out.finishReason = choice.finish_reason;
        out.finishMs = since();
      }
    }
  }
  out.endMs = since();
  return out;
}
