import type { Settings } from '../../../config/settings';

/** Why a model could not be loaded, in words an operator can act on. */
export function explainLoadFailure(id: string, err: unknown, settings: Settings): string {
  const message = err instanceof Error ? err.message : String(err);
  if (
    !settings.allowRemoteModels &&
    /local_files_only|allowRemoteModels|not found locally/i.test(message)
  ) {
    return `not found in MODELS_DIR (no complete ${id} there) and ALLOW_REMOTE_MODELS=false`;
  }
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|no response within|network/i.test(message)) {
    return `not in MODELS_DIR and the Hugging Face hub could not be reached (${message})`;
  }
  return message;
}
