import 'reflect-metadata';
import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { StorageMonitor, storageStartupProblem } from './storage/storage-monitor.service';
import { InvalidSettingsError, loadSettings } from './config/settings';

/** Starts the server from process.env (also `ragd serve`). */
export async function bootstrap(): Promise<void> {
  let settings;
  try {
    settings = loadSettings(process.env);
  } catch (e) {
    if (e instanceof InvalidSettingsError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  // A storage directory the server cannot write: one line naming it, no stack trace.
  const storageProblem = storageStartupProblem(settings.storageDir);
  if (storageProblem) {
    console.error(storageProblem);
    process.exit(3);
  }
  let app;
  try {
    app = await NestFactory.create(AppModule.forRoot(settings), {
      bodyParser: false,
      bufferLogs: true, // until pino takes over (just below)
      abortOnError: false,
    });
    app.useLogger(app.get(PinoLogger));
  } catch (e) {
    // Nest has logged the error with its stack; end with one line saying what stopped the start.
    const fault = new StorageMonitor(settings).fault(e, 'open the database');
    console.error(
      `Cannot start: ${fault?.message ?? (e instanceof Error ? e.message : String(e))}`,
    );
    process.exit(fault ? 3 : 1);
  }
  configureApp(app, settings);
  await app.listen(settings.port, settings.host);
  const logger = new Logger('Main');
  logger.log(`Listening on http://${settings.host}:${settings.port} (Swagger UI at /docs)`);
  // Graceful stop: refuse new connections, let requests in flight finish (bounded), then stop the
  // background work, snapshot the indexes and close SQLite (the app's shutdown hooks).
  const server = app.getHttpServer() as Server;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: refusing new connections, finishing requests in flight`);
      void shutDown(app, server, settings.shutdownGraceMs, logger);
    });
  }
}

async function shutDown(
  app: INestApplication,
  server: Server,
  graceMs: number,
  logger: Logger,
): Promise<void> {
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idle = setInterval(() => server.closeIdleConnections(), 100); // keep-alive sockets as their requests end
  const cut = new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref());
  if (await Promise.race([drained.then(() => false), cut])) {
    logger.warn(
      `Requests still in flight after ${graceMs} ms (SHUTDOWN_GRACE_MS): closing their connections`,
    );
    server.closeAllConnections();
  }
  clearInterval(idle);
  const force = setTimeout(() => {
    logger.error('Shutdown hooks took longer than 30 s; exiting');
    process.exit(1);
  }, 30_000);
  force.unref();
  try {
    await app.close();
    logger.log('Shut down cleanly');
    process.exit(0);
  } catch (e) {
    logger.error(`Shutdown failed: ${String(e)}`);
    process.exit(1);
  }
}

// `node dist/main.js` starts the server; `ragd serve` imports this file and calls bootstrap().
if (require.main === module) void bootstrap();
