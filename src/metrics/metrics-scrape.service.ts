import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { StatsRepository } from '../database/stats.repository';
import { InferenceEngines } from '../engines/inference-engines';
import { StorageMonitor } from '../storage/storage-monitor.service';
import { VectorIndexService } from '../vector-index/vector-index.service';
import { MetricsService } from './metrics.service';
import { StateGauges } from './state-gauges';

/** A scrape: the gauges of stored state set now, then every series as Prometheus text. */
@Injectable()
export class MetricsScrapeService {
  private readonly gauges?: StateGauges;

  constructor(
    private readonly service: MetricsService,
    @Inject(SETTINGS) settings: Settings,
    stats: StatsRepository,
    vectors: VectorIndexService,
    engines: InferenceEngines,
    storage: StorageMonitor,
  ) {
    if (service.metrics)
      this.gauges = new StateGauges(
        service.metrics,
        stats,
        vectors,
        engines,
        storage,
        settings.metrics.maxCollections,
      );
  }

  /** Undefined when metrics are off. */
  async scrape(): Promise<{ text: string; contentType: string } | undefined> {
    const { metrics } = this.service;
    if (!metrics || !this.gauges) return undefined;
    this.gauges.refresh();
    return { text: await metrics.registry.metrics(), contentType: metrics.registry.contentType };
  }
}
