import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { InvalidSettingsError, loadSettings } from './config/settings';

async function bootstrap(): Promise<void> {
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
  const app = await NestFactory.create(AppModule, {
    bodyParser: false,
    logger: loggerLevels(settings.logLevel),
  });
  configureApp(app, settings);
  await app.listen(settings.port, settings.host);
  const logger = new Logger('Main');
  logger.log(`Listening on http://${settings.host}:${settings.port} (Swagger UI at /docs)`);
  // Graceful stop: refuse new connections, let requests finish, snapshot the indexes, close SQLite.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: shutting down`);
      const force = setTimeout(() => {
        logger.error('Shutdown took longer than 30 s; exiting');
        process.exit(1);
      }, 30_000);
      force.unref();
      app.close().then(
        () => process.exit(0),
        (e: unknown) => {
          logger.error(`Shutdown failed: ${String(e)}`);
          process.exit(1);
        },
      );
    });
  }
}

function loggerLevels(level: string) {
  const order = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
  return order.slice(0, order.indexOf(level as (typeof order)[number]) + 1);
}

void bootstrap();
