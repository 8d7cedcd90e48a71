import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { loadSettings } from '../../src/config/settings';
import { TINY_ENV } from './tiny-models';

export { TINY_ENV, TINY_MODELS_DIR, tinyModelsPresent } from './tiny-models';

export function tempDir(prefix = 'ragd-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const KEYS = [...Object.keys(TINY_ENV), 'STORAGE_DIR', 'PRELOAD_MODELS', 'MODEL_RETRY_MS', 'MAX_BODY_BYTES', 'MAX_FILE_BYTES'];

/** The whole app, exactly as main.ts builds it, on the given environment. */
export async function createTestApp(env: Record<string, string>): Promise<INestApplication> {
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, env);
  const settings = loadSettings(process.env);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: ['error'] });
  configureApp(app, settings);
  await app.init();
  return app;
}
