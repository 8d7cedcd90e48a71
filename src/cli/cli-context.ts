import type { Command } from 'commander';
import { CliOutput } from './cli-output';
import { RagdClient } from './ragd-client';

export interface CliContext {
  client: RagdClient;
  out: CliOutput;
}

interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

/** The client and output a command runs with, from the global options (--url, --api-key, --json). */
export function contextOf(command: Command): CliContext {
  const o = command.optsWithGlobals<GlobalOptions>();
  return { client: new RagdClient(o.url, o.apiKey), out: new CliOutput(o.json === true) };
}
