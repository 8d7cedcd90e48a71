import * as path from 'node:path';
import { z } from 'zod';
import { ModelDeclarationError, declaredModels } from './declared-models';
import { declaredOnce, nestValues, type SettingsOf } from './env-setting';
import { isSameOrInside } from './path-containment';
import type { ModelDeclaration } from './model-declarations';
import { SETTINGS_SCHEMA } from './settings.schema';

export { DTYPES, type Dtype } from './env-values';

const declared = declaredOnce(SETTINGS_SCHEMA);

/** Every environment variable the server reads (tests clear them between apps). */
export const SETTING_NAMES: readonly string[] = declared.map((d) => d.setting.variable);

/** BACKUP_DIR, or by default `backups` next to STORAGE_DIR (so it follows the data, not the cwd). */
function withBackupDir(s: SettingsOf<typeof SETTINGS_SCHEMA>) {
  const dir = s.backup.dir ?? path.resolve(s.storageDir, '..', 'backups');
  return { ...s, backup: { ...s.backup, dir } };
}

/**
 * The environment (variable name to text) in, the typed settings out. Each variable's issues
 * carry its name as their path; rules that tie two variables together name the one to change.
 */
export const settingsSchema = z
  .looseObject(Object.fromEntries(declared.map((d) => [d.setting.variable, d.setting.schema])))
  .transform((values, ctx) => {
    const s = withBackupDir(nestValues(SETTINGS_SCHEMA, values));
    // Models declared by the *_ENDPOINT settings and MODELS_FILE (any other id is in-process);
    // the other variables are kept (loose) for a models file's `apiKeyEnv`.
    let models: ModelDeclaration[] = [];
    try {
      models = declaredModels(s, values);
    } catch (err) {
      if (!(err instanceof ModelDeclarationError)) throw err;
      ctx.addIssue({ code: 'custom', path: [err.variable], message: err.message });
    }
    return { ...s, models };
  })
  .superRefine((s, ctx) => {
    if (isSameOrInside(s.backup.dir, s.storageDir)) {
      ctx.addIssue({
        code: 'custom',
        path: ['BACKUP_DIR'],
        message: 'must not be STORAGE_DIR or inside it',
      });
    }
    if (s.chunking.overlap >= s.chunking.size) {
      ctx.addIssue({
        code: 'custom',
        path: ['DEFAULT_CHUNK_OVERLAP'],
        message: 'must be smaller than DEFAULT_CHUNK_SIZE',
      });
    }
  });

/** The typed settings: `settings.embedding.model` and so on (see settings.schema.ts). */
export type Settings = z.output<typeof settingsSchema>;

export class InvalidSettingsError extends Error {}

/** Variables whose values never appear in a message. */
const SECRETS = new Set([
  'RAGD_API_KEY',
  'EMBEDDING_API_KEY',
  'GENERATION_API_KEY',
  'RERANK_API_KEY',
]);

/**
 * Parses the environment; throws a message naming every bad variable. Called once per app: by
 * main.ts, which hands the result to `AppModule.forRoot`. A variable set to '' counts as unset.
 */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = settingsSchema.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const variable = String(i.path[0]);
      const value = SECRETS.has(variable) ? '(hidden)' : JSON.stringify(env[variable] ?? '');
      return `  ${i.path.join('.')}=${value}: ${i.message}`;
    });
    throw new InvalidSettingsError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
