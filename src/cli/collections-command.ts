import type { Command } from 'commander';
import { contextOf } from './cli-context';
import { seg } from './ragd-client';

interface Collection {
  name: string;
  embeddingModel: string;
  counts: { documents: number; chunks: number; pendingChunks?: number };
}

export function collectionsCommand(program: Command): void {
  const collections = program
    .command('collections')
    .description('List, create and delete collections');
  collections
    .command('list', { isDefault: true })
    .description('Every collection with its counts')
    .action(async (_o: unknown, command: Command) => {
      const { client, out } = contextOf(command);
      const res = await client.get<{ collections: Collection[] }>('/v1/collections');
      out.result(res, () =>
        res.collections.length === 0
          ? 'No collections'
          : res.collections
              .map(
                (c) =>
                  `${c.name}  ${c.counts.documents} documents, ${c.counts.chunks} chunks  (${c.embeddingModel})`,
              )
              .join('\n'),
      );
    });
  collections
    .command('create')
    .description('Create a collection')
    .argument('<name>')
    .option('--embedding-model <id>', 'its embedding model (default: EMBEDDING_MODEL)')
    .action(async (name: string, o: { embeddingModel?: string }, command: Command) => {
      const { client, out } = contextOf(command);
      const res = await client.post<Collection>('/v1/collections', {
        name,
        ...(o.embeddingModel ? { embeddingModel: o.embeddingModel } : {}),
      });
      out.result(res, () => `Created '${res.name}' (${res.embeddingModel})`);
    });
  collections
    .command('delete')
    .description('Delete a collection with everything in it')
    .argument('<name>')
    .action(async (name: string, _o: unknown, command: Command) => {
      const { client, out } = contextOf(command);
      await client.delete(`/v1/collections/${seg(name)}`);
      out.result({ deleted: name }, () => `Deleted '${name}'`);
    });
}
