import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ReplicaStatusDto {
  @ApiProperty({ example: 'http://gpu-a:8000/v1' }) url!: string;
  @ApiProperty({
    enum: ['unknown', 'up', 'down'],
    description: 'down: out of service, probed back in with backoff',
  })
  state!: string;
  @ApiProperty({ description: 'Calls in flight now' }) inFlight!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Moving average of its successful calls, ms',
  })
  latencyMs!: number | null;
  @ApiProperty() requests!: number;
  @ApiProperty() failures!: number;
  @ApiPropertyOptional({ example: 'http://gpu-a:8000/v1: fetch failed (ECONNREFUSED)' })
  lastError?: string;
  @ApiPropertyOptional({ description: 'ISO 8601' }) lastErrorAt?: string;
}

/** A remote model: where it is served and how its tokens are counted. */
export class RemoteStatusDto {
  @ApiProperty({ description: 'The name its servers know it by', example: 'BAAI/bge-m3' })
  model!: string;
  @ApiProperty({
    description: "'estimate', or the MODELS_DIR tokenizer that counts its tokens",
    example: 'estimate',
  })
  tokenCounter!: string;
  @ApiProperty({ type: [ReplicaStatusDto] }) replicas!: ReplicaStatusDto[];
}
