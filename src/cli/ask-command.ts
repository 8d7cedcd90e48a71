import type { Command } from 'commander';
import { contextOf } from './cli-context';
import { CliError, EXIT } from './exit-codes';
import { seg } from './ragd-client';
import { jsonObject, placeOf, positiveInt } from './search-command';

interface Citation {
  n: number;
  documentId: string;
  title: string | null;
  text: string;
  pageStart: number | null;
  pageEnd: number | null;
}

interface AskDone {
  answer: string;
  citations: Citation[];
  mode: string;
  modeReason?: string;
  refused: boolean;
}

export function askCommand(program: Command): void {
  program
    .command('ask')
    .description(
      'Ask a question of a collection: the answer streamed as it is written, then its citations (file and page)',
    )
    .argument('<collection>')
    .argument('<question...>')
    .option('-k, --top-k <n>', 'passages retrieved', '5')
    .option('-f, --filter <json>', 'metadata filter')
    .option('--model <id>', 'generation model')
    .action(async (collection: string, words: string[], o: AskOptions, command: Command) => {
      const { client, out } = contextOf(command);
      let done: AskDone | undefined;
      for await (const e of client.stream(`/v1/collections/${seg(collection)}/ask`, {
        question: words.join(' '),
        stream: true,
        topK: positiveInt(o.topK, '--top-k'),
        ...(o.filter ? { filter: jsonObject(o.filter, '--filter') } : {}),
        ...(o.model ? { model: o.model } : {}),
      })) {
        if (e.event === 'token') out.write((JSON.parse(e.data) as { text: string }).text);
        else if (e.event === 'done') done = JSON.parse(e.data) as AskDone;
        else if (e.event === 'error') {
          const err = (JSON.parse(e.data) as { error?: { code?: string; message?: string } }).error;
          throw new CliError(
            `${err?.code ?? 'error'}: ${err?.message ?? e.data}`,
            EXIT.server,
            err?.code,
          );
        }
      }
      if (!done) throw new CliError('The answer stream ended without an answer', EXIT.server);
      const answer = done;
      out.write('\n');
      out.result(answer, () =>
        [
          answer.mode === 'generative'
            ? ''
            : `(${answer.refused ? 'refused' : answer.mode}${answer.modeReason ? `: ${answer.modeReason}` : ''})`,
          ...answer.citations.map((c) => `[${c.n}] ${placeOf(c)}`),
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });
}

interface AskOptions {
  topK: string;
  filter?: string;
  model?: string;
}
