import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadSettings } from '../../src/config/settings';

export { TINY_ENV, TINY_MODELS_DIR, tinyModelsPresent } from './tiny-models';

export function tempDir(prefix = 'ragd-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A provider replaced by a test double (e.g. an adapter that fails like a full disk). */
export interface ProviderOverride {
  provide: unknown;
  useClass: new (...args: never[]) => unknown;
}

/** The whole app, exactly as main.ts builds it, on the given environment (and with `overrides`). */
export async function createTestApp(
  env: Record<string, string>,
  overrides: readonly ProviderOverride[] = [],
): Promise<INestApplication> {
  // Parsed from `env` alone (not process.env), so one test's environment never leaks into the next;
  // request log lines (pino writes straight to stdout) only when a test asks for them.
  const settings = loadSettings({ LOG_LEVEL: 'error', ...env });
  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(settings)] });
  for (const o of overrides) builder.overrideProvider(o.provide).useClass(o.useClass);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
  configureApp(app, settings);
  await app.init();
  return app;
}
