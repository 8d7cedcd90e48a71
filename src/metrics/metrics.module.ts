import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { NO_TELEMETRY, Telemetry } from '../common/telemetry';
import { EnginesModule } from '../engines/engines.module';
import { VectorIndexModule } from '../vector-index/vector-index.module';
import { httpMetrics } from './http-metrics.middleware';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsController } from './metrics.controller';
import { MetricsScrapeService } from './metrics-scrape.service';
import { MetricsService } from './metrics.service';
import { PrometheusTelemetry } from './prometheus-telemetry';

/**
 * Prometheus metrics: GET /metrics, the HTTP request series (a middleware on every route) and the
 * Telemetry port that the services and engines report to (global, so any module can inject it).
 */
@Global()
@Module({
  imports: [EnginesModule, VectorIndexModule],
  controllers: [MetricsController],
  providers: [
    MetricsService,
    MetricsScrapeService,
    MetricsAccessGuard,
    {
      provide: Telemetry,
      inject: [MetricsService],
      useFactory: (s: MetricsService): Telemetry =>
        s.metrics ? new PrometheusTelemetry(s.metrics) : NO_TELEMETRY,
    },
  ],
  exports: [Telemetry],
})
export class MetricsModule implements NestModule {
  constructor(private readonly service: MetricsService) {}

  configure(consumer: MiddlewareConsumer): void {
    const metrics = this.service.metrics;
    if (metrics)
      consumer
        .apply(httpMetrics(metrics))
        .forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
