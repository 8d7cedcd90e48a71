import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { NO_TELEMETRY, Telemetry } from '../../../common/telemetry';
import type { Settings } from '../../../config/settings';
import { SETTINGS } from '../../../config/settings.provider';
import { LocalTokenizers } from '../transformers/local-tokenizers';
import { RemoteEmbeddingEngine } from './remote-embedding-engine';
import { RemoteGenerator } from './remote-generator';
import { RemoteReranker } from './remote-reranker';

/**
 * The remote adapters of the three ports, for the models the settings and MODELS_FILE declare
 * remote (undefined for a task with none). Reaches them at start-up (PRELOAD_MODELS), so that
 * /health tells at once whether they answer; stops their probes at shutdown.
 */
@Injectable()
export class RemoteEngines implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly embedding?: RemoteEmbeddingEngine;
  readonly generation?: RemoteGenerator;
  readonly reranking?: RemoteReranker;

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    tokenizers: LocalTokenizers,
    @Optional() telemetry: Telemetry = NO_TELEMETRY,
  ) {
    const remote = settings.models.filter((m) => m.remote);
    const has = (task: string) => remote.some((m) => m.task === task);
    const { probeMaxMs } = settings.remote;
    if (has('embedding'))
      this.embedding = new RemoteEmbeddingEngine(remote, tokenizers, probeMaxMs, telemetry);
    if (has('generation'))
      this.generation = new RemoteGenerator(remote, tokenizers, {
        timeoutMs: settings.generation.timeoutMs,
        contextTokens: settings.generation.contextTokens,
        probeMaxMs,
        telemetry,
      });
    if (has('reranking'))
      this.reranking = new RemoteReranker(remote, tokenizers, probeMaxMs, telemetry);
  }

  onApplicationBootstrap(): void {
    if (!this.settings.preloadModels) return;
    for (const engine of this.all()) for (const s of engine.statuses()) void engine.ensure(s);
  }

  onApplicationShutdown(): void {
    for (const engine of this.all()) engine.remoteModels.close();
  }

  private all() {
    return [this.embedding, this.generation, this.reranking].filter((e) => e !== undefined);
  }
}
