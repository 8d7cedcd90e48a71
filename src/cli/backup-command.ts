import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { contextOf } from './cli-context';
import { CliError, EXIT } from './exit-codes';
import { seg } from './ragd-client';

interface Backup {
  id: string;
  state: 'running' | 'done' | 'failed';
  reason?: string;
  directory: string;
  progress?: { sqlitePages?: { copied: number; total: number } };
}

export function backupCommand(program: Command): void {
  program
    .command('backup')
    .description('Back up the server (database and index snapshots) and wait until it is done')
    .option('-d, --directory <dir>', 'where, on the server (default: BACKUP_DIR/<start time>)')
    .action(async (o: { directory?: string }, command: Command) => {
      const { client, out } = contextOf(command);
      let backup = await client.post<Backup>(
        '/v1/backups',
        o.directory ? { directory: o.directory } : {},
      );
      out.note(`Backup ${backup.id} to ${backup.directory}`);
      const bar =
        process.stderr.isTTY && !out.json ? new SingleBar({}, Presets.shades_classic) : undefined;
      bar?.start(1, 0);
      while (backup.state === 'running') {
        await new Promise((r) => setTimeout(r, 250));
        backup = await client.get<Backup>(`/v1/backups/${seg(backup.id)}`);
        const pages = backup.progress?.sqlitePages;
        if (pages) {
          bar?.setTotal(Math.max(1, pages.total));
          bar?.update(pages.copied);
        }
      }
      bar?.stop();
      if (backup.state === 'failed')
        throw new CliError(
          `Backup ${backup.id} failed: ${backup.reason ?? 'unknown reason'}`,
          EXIT.server,
        );
      out.result(backup, () => `Backup ${backup.id} done: ${backup.directory}`);
    });
}
