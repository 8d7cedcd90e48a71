import { Controller, Get, NotFoundException, Res, UseGuards } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/require-scope.decorator';
import { ErrorDto } from '../http/error.dto';
import { MetricsAccessGuard } from './metrics-access.guard';
import { MetricsScrapeService } from './metrics-scrape.service';

@ApiTags('health')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsScrapeService) {}

  @Get('metrics')
  @Public()
  @UseGuards(MetricsAccessGuard)
  @ApiOperation({
    summary: 'Prometheus metrics (text exposition format)',
    description:
      'Every series is named ragd_ (docs/operations.md lists them). With METRICS_TOKEN set, send Authorization: Bearer <METRICS_TOKEN> (or an admin API key); with API keys on and no token, an admin key. 404 when METRICS_ENABLED=false.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'text/plain; version=0.0.4' })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    description: 'neither METRICS_TOKEN nor an admin API key was sent',
  })
  @ApiNotFoundResponse({ type: ErrorDto, description: 'METRICS_ENABLED=false' })
  async scrape(@Res() res: Response): Promise<void> {
    const scraped = await this.metrics.scrape();
    if (!scraped) throw new NotFoundException('Metrics are off (METRICS_ENABLED=false)');
    res.setHeader('Content-Type', scraped.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).end(scraped.text); // end, not send: the content type stays as prom-client says
  }
}
