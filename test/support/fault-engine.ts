/**
 * A tiny OpenAI-compatible inference server on loopback whose faults a test switches on: slow
 * answers, vectors of another width, malformed JSON, broken or malformed event streams. It serves
 * /v1/models, /v1/embeddings (word-hashed unit vectors) and streamed /v1/chat/completions.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultState {
  embed: 'ok' | 'wide' | 'slow' | 'malformed';
  chat: 'ok' | 'broken' | 'malformed';
  /** Embedding width while 'ok' ('wide' doubles it). */
  dim: number;
  embedRequests: number;
  chatRequests: number;
}

export interface FaultEngine {
  url: string;
  state: FaultState;
  close(): Promise<void>;
}

function vector(text: string, dim: number): number[] {
  const v = new Array<number>(dim).fill(0);
  v[0] = 0.01;
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
    v[(h >>> 0) % dim]! += 1;
  }
  return v;
}

export async function startFaultEngine(): Promise<FaultEngine> {
  const state: FaultState = { embed: 'ok', chat: 'ok', dim: 8, embedRequests: 0, chatRequests: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/v1/models')
        return json(200, { object: 'list', data: [{ id: 'fault/embed' }, { id: 'fault/chat' }] });
      if (req.url === '/v1/embeddings') {
        state.embedRequests++;
        const { input } = JSON.parse(raw) as { input: string[] };
        const answer = (dim: number) =>
          json(200, {
            object: 'list',
            data: input.map((t, index) => ({
              object: 'embedding',
              index,
              embedding: vector(t, dim),
            })),
          });
        switch (state.embed) {
          case 'slow':
            setTimeout(() => answer(state.dim), 5000).unref();
            return;
          case 'malformed':
            res.writeHead(200, { 'content-type': 'application/json' });
            return res.end('{"object": "list", "data": [{"embedding": [0.1, 0.2');
          case 'wide':
            return answer(state.dim * 2);
          case 'ok':
            return answer(state.dim);
        }
      }
      if (req.url === '/v1/chat/completions') {
        state.chatRequests++;
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const send = (data: unknown) =>
          res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
        const delta = (content: string) =>
          send({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });
        if (state.chat === 'malformed') {
          res.write('data: {"choices": [{"delta": {"content": "Hel\n\n');
          return res.end();
        }
        delta('Hello');
        delta(' there');
        if (state.chat === 'broken') {
          setTimeout(() => res.destroy(), 20).unref(); // the connection drops mid-answer
          return;
        }
        send({
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        });
        send({
          object: 'chat.completion.chunk',
          choices: [],
          usage: { prompt_tokens: 7, completion_tokens: 2 },
        });
        send('[DONE]');
        return res.end();
      }
      json(404, { error: { message: `no route ${req.method} ${req.url}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
