import { createParser } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  data: string;
}

/** The server-sent events of a fetch response, as they arrive. */
export async function* sseEvents(res: Response): AsyncGenerator<SseEvent> {
  if (!res.body) return;
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => queue.push({ event: e.event ?? 'message', data: e.data }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    while (queue.length > 0) yield queue.shift()!;
  }
}
