#!/usr/bin/env node
/**
 * The `ragd` command line. Talks to a running server (--url, default RAGD_URL or
 * http://127.0.0.1:3000; --api-key or RAGD_API_KEY), except where a command works on files
 * directly (`models ... --models-dir`).
 */
import { Command, Option } from 'commander';
import { VERSION } from '../common/version';
import { registerModelsCommands } from './commands/models.command';
import { CliError } from './commands/models-client';

export function cliProgram(): Command {
  const program = new Command('ragd')
    .description('Self-hosted retrieval-augmented inference server: command line')
    .version(VERSION)
    .addOption(
      new Option('--url <url>', 'the ragd server').env('RAGD_URL').default('http://127.0.0.1:3000'),
    )
    .addOption(new Option('--api-key <key>', 'API key (Bearer)').env('RAGD_API_KEY'));
  registerModelsCommands(program);
  return program;
}

async function main(): Promise<void> {
  try {
    await cliProgram().parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(e.exitCode);
    }
    throw e;
  }
}

if (require.main === module) void main();
