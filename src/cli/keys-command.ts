import type { Command } from 'commander';
import { contextOf } from './cli-context';
import { CliError, EXIT } from './exit-codes';
import { RagdClient, seg } from './ragd-client';

/** A 404 for the route itself (not for a key): the server predates API keys. */
async function keysRoute<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof CliError && e.exitCode === EXIT.notFound && e.code !== 'api_key_not_found')
      throw new CliError(
        'This server has no API keys routes (/v1/keys): it runs without keys, open to anyone who can reach it',
        EXIT.notFound,
        e.code,
      );
    throw e;
  }
}

export function keysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('List, create and revoke API keys (admin key needed)');
  keys
    .command('list', { isDefault: true })
    .description('Every key (never its secret)')
    .action(async (_o: unknown, command: Command) => {
      const { client, out } = contextOf(command);
      const res = await keysRoute(() => client.get<unknown>('/v1/keys'));
      out.result(res, () => JSON.stringify(res, null, 2));
    });
  keys
    .command('create')
    .description('Create a key; its secret is shown once')
    .argument('<name>')
    .option('-s, --scope <scope...>', 'scopes, e.g. admin, read:docs, write:docs')
    .action(async (name: string, o: { scope?: string[] }, command: Command) => {
      const { client, out } = contextOf(command);
      const res = await keysRoute(() =>
        client.post<unknown>('/v1/keys', { name, ...(o.scope ? { scopes: o.scope } : {}) }),
      );
      out.result(res, () => JSON.stringify(res, null, 2));
    });
  keys
    .command('revoke')
    .description('Revoke a key')
    .argument('<id>')
    .action(async (id: string, _o: unknown, command: Command) => {
      const { client, out } = contextOf(command);
      await keysRoute(() => revoke(client, id));
      out.result({ revoked: id }, () => `Revoked ${id}`);
    });
}

const revoke = (client: RagdClient, id: string) => client.delete(`/v1/keys/${seg(id)}`);
