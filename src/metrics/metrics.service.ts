import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import { RagdMetrics } from './metrics-registry';

/** The app's metrics, or none with METRICS_ENABLED=false. */
@Injectable()
export class MetricsService {
  readonly metrics?: RagdMetrics;

  constructor(@Inject(SETTINGS) settings: Settings) {
    if (settings.metrics.enabled) this.metrics = new RagdMetrics();
  }
}
