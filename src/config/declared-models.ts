import type { SettingsOf } from './env-setting';
import {
  checkUnique,
  declaration,
  readModelsFile,
  type DeclarationDefaults,
  type ModelDeclaration,
} from './model-declarations';
import type { SETTINGS_SCHEMA } from './settings.schema';

/** A declaration that cannot be used, and the variable to change. */
export class ModelDeclarationError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The models declared remote by the *_ENDPOINT settings, then those of MODELS_FILE (whose
 * `apiKeyEnv` entries are looked up in `env`). Throws a {@link ModelDeclarationError}.
 */
export function declaredModels(
  s: SettingsOf<typeof SETTINGS_SCHEMA>,
  env: Readonly<Record<string, unknown>>,
): ModelDeclaration[] {
  const d: DeclarationDefaults = {
    dtype: {
      embedding: s.embedding.dtype,
      generation: s.generation.dtype,
      reranking: s.rerank.dtype,
    },
    timeoutMs: {
      embedding: s.remote.embedding.timeoutMs,
      generation: s.remote.generation.idleTimeoutMs,
      reranking: s.remote.rerank.timeoutMs,
    },
    queueLimit: {
      embedding: s.embedding.queueLimit,
      generation: s.generation.queueLimit,
      reranking: s.embedding.queueLimit,
    },
    batchSize: s.embedding.batchSize,
    rerankApi: s.remote.rerank.api,
    env: Object.fromEntries(
      Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]),
    ),
  };
  const tasks = [
    ['embedding', 'EMBEDDING', s.embedding.model, s.remote.embedding],
    ['generation', 'GENERATION', s.generation.model, s.remote.generation],
    ['reranking', 'RERANK', s.rerank.model, s.remote.rerank],
  ] as const;
  const fromEnv = tasks.flatMap(([task, prefix, id, remote]) => {
    if (remote.endpoints.length === 0) return [];
    const maxInputTokens = 'maxInputTokens' in remote ? remote.maxInputTokens : undefined;
    try {
      return [
        declaration(
          {
            id,
            task,
            endpoints: remote.endpoints,
            ...(remote.apiKey ? { apiKey: remote.apiKey } : {}),
            ...(maxInputTokens ? { maxInputTokens } : {}),
          },
          d,
        ),
      ];
    } catch (err) {
      throw new ModelDeclarationError(`${prefix}_ENDPOINT`, (err as Error).message);
    }
  });
  let fromFile: ModelDeclaration[] = [];
  if (s.remote.modelsFile) {
    try {
      fromFile = readModelsFile(s.remote.modelsFile, d);
    } catch (err) {
      throw new ModelDeclarationError('MODELS_FILE', (err as Error).message);
    }
  }
  const models = [...fromEnv, ...fromFile];
  try {
    checkUnique(models);
  } catch (err) {
    throw new ModelDeclarationError('MODELS_FILE', (err as Error).message);
  }
  return models;
}
