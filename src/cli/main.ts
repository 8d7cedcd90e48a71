#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../common/version';
import { askCommand } from './ask-command';
import { backupCommand } from './backup-command';
import { collectionsCommand } from './collections-command';
import { CliError, EXIT } from './exit-codes';
import { indexCommand } from './index-command';
import { keysCommand } from './keys-command';
import { mcpCommand } from './mcp-command';
import { registerModelsCommands } from './commands/models.command';
import { searchCommand } from './search-command';
import { serveCommand } from './serve-command';

/** `ragd`: the command-line client of a running ragd server (docs/cli.md), and `ragd serve`. */
export function cli(): Command {
  const program = new Command('ragd')
    .description('ragd: index folders, search and ask from the command line')
    .version(VERSION)
    .addOption(
      new Option('--url <url>', 'the ragd server').env('RAGD_URL').default('http://127.0.0.1:3000'),
    )
    .addOption(new Option('--api-key <key>', 'sent as Bearer').env('RAGD_API_KEY'))
    .option('--json', 'print the result as JSON (for scripts)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 usage (or input the server refused), 2 server error, 3 not found, 4 server unreachable.',
    )
    .showHelpAfterError()
    .exitOverride();
  for (const add of [
    serveCommand,
    indexCommand,
    searchCommand,
    askCommand,
    collectionsCommand,
    keysCommand,
    backupCommand,
    mcpCommand,
    registerModelsCommands,
  ])
    add(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await cli().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with 0; a usage error has been printed with the help.
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    if (e instanceof CliError) {
      process.stderr.write(`ragd: ${e.message}\n`);
      process.exitCode = e.exitCode;
      return;
    }
    process.stderr.write(`ragd: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = EXIT.server;
  }
}

if (require.main === module) void main();
