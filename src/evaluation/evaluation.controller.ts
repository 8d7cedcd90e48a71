import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { ErrorDto } from '../http/error.dto';
import { EvaluateDto, EvaluationResultDto } from './dto/evaluate.dto';
import { EVALUATION_MODES, EvaluationService } from './evaluation.service';

@ApiTags('evaluation')
@RequireScope('read')
@Controller('v1/collections/:name')
export class EvaluationController {
  constructor(private readonly evaluation: EvaluationService) {}

  @Post('evaluate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Measure retrieval quality on labelled queries: recall@k, MRR@10 and nDCG@10 per mode',
    description:
      'Runs every query in each mode and scores the ranked distinct documents (a document ranks where its best chunk does) against the graded judgements. A mode that cannot run (no embedding model for dense or hybrid, no reranker for hybrid+rerank) comes back with available: false and the reason; the other modes are still measured. Queries run one after another, so meanLatencyMs is the latency of a single search.',
  })
  @ApiOkResponse({ type: EvaluationResultDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Invalid body, or no query with a relevant document',
  })
  @ApiNotFoundResponse({ type: ErrorDto })
  evaluate(
    @Param('name') name: string,
    @Body() body: EvaluateDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<EvaluationResultDto> {
    // A client that goes away stops the evaluation.
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    return this.evaluation.evaluate(
      name,
      { queries: body.queries, k: body.k ?? 10, modes: body.modes ?? EVALUATION_MODES },
      abort.signal,
    );
  }
}
