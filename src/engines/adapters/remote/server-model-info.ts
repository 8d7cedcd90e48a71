import type { RemoteOptions } from '../../../config/model-declarations';
import { requestJson } from './remote-http';

/** What a server's GET {base}/models says of a model, where it says it. */
export interface ServerModelInfo {
  /** vLLM's max_model_len, ragd's maxTokens, or context_length / max_input_length. */
  maxInputTokens?: number;
  /** The server is a ragd (its model list carries ragd's task field): it adds embedding prefixes itself. */
  ragd: boolean;
}

const LENGTH_FIELDS = ['max_model_len', 'maxTokens', 'context_length', 'max_input_length'] as const;

/**
 * Asks GET {base}/models (OpenAI's list, which vLLM, llama.cpp, Ollama, LM Studio and ragd serve)
 * about the model. Best effort: a server without the route (TEI) or an odd answer tells nothing.
 */
export async function serverModelInfo(
  url: string,
  remote: RemoteOptions,
  task: string,
): Promise<ServerModelInfo> {
  try {
    const body = (await requestJson('GET', `${url}/models`, undefined, {
      apiKey: remote.apiKey,
      timeoutMs: remote.timeoutMs,
    })) as { data?: unknown };
    if (!Array.isArray(body.data)) return { ragd: false };
    const entries = (body.data as Record<string, unknown>[]).filter(
      (m) => m && typeof m === 'object' && m.id === remote.model,
    );
    const entry = entries.find((m) => m.task === undefined || m.task === task) ?? entries[0];
    if (!entry) return { ragd: false };
    const ragd = typeof entry.task === 'string' && Array.isArray(entry.dtypes);
    for (const f of LENGTH_FIELDS) {
      const v = entry[f];
      if (typeof v === 'number' && Number.isInteger(v) && v > 0) return { maxInputTokens: v, ragd };
    }
    return { ragd };
  } catch {
    return { ragd: false };
  }
}
