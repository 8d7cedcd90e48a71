import type { Settings } from '../../src/config/settings';
import { ModelDownloads } from '../../src/engines/adapters/transformers/download/model-downloads.service';
import { LocalModelPool } from '../../src/engines/adapters/transformers/local-model-pool';

/** The in-process model pool as the engines module builds it (with its downloads), outside Nest. */
export function localModelPool(settings: Settings): LocalModelPool {
  return new LocalModelPool(settings, new ModelDownloads(settings));
}
