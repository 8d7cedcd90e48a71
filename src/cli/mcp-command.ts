import type { Command } from 'commander';
import { RagdClient } from './ragd-client';

export function mcpCommand(program: Command): void {
  program
    .command('mcp')
    .description(
      'An MCP server on stdin/stdout for desktop clients (Claude Desktop, Cursor, VS Code), talking to a running ragd at --url/RAGD_URL with --api-key/RAGD_API_KEY',
    )
    .action(async (_o: unknown, command: Command) => {
      const o = command.optsWithGlobals<{ url: string; apiKey?: string }>();
      // Loaded here: the SDK costs the other commands' start-up nothing.
      const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
      const { createRagdMcpServer } = await import('../mcp/ragd-tools');
      const { HttpBackend } = await import('./http-backend');
      // stdout carries the protocol: nothing else may be written there.
      const server = createRagdMcpServer(new HttpBackend(new RagdClient(o.url, o.apiKey)));
      await server.connect(new StdioServerTransport());
      process.stderr.write(`ragd mcp: serving stdio, talking to ${o.url}\n`);
      await new Promise<void>((resolve) => process.stdin.once('close', resolve));
      await server.close();
    });
}
