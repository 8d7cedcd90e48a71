import type { Command } from 'commander';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'Start the ragd server in this process (as `npm start`; settings from the environment)',
    )
    .option('-p, --port <port>', 'PORT')
    .option('--host <host>', 'HOST')
    .action(async (options: { port?: string; host?: string }) => {
      if (options.port) process.env.PORT = options.port;
      if (options.host) process.env.HOST = options.host;
      // The only command that loads the server (Nest, models, SQLite).
      const { bootstrap } = await import('../main');
      await bootstrap();
    });
}
