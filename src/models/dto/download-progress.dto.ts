import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DownloadFileDto {
  @ApiProperty({ example: 'onnx/model_quantized.onnx' }) path!: string;
  @ApiProperty({
    enum: ['pending', 'downloading', 'done', 'present'],
    description: 'present: already in MODELS_DIR before this download',
  })
  state!: string;
  @ApiProperty() bytesDone!: number;
  @ApiProperty({ type: Number, nullable: true }) bytesTotal!: number | null;
}

/** A model's files being fetched from HF_ENDPOINT into MODELS_DIR. */
export class DownloadProgressDto {
  @ApiProperty({
    enum: ['listing', 'downloading', 'waiting', 'failed', 'done'],
    description:
      'listing: asking the hub for the files; waiting: the last try failed (error), the next starts at retryAt; failed: given up until asked again',
  })
  state!: string;
  @ApiProperty({ example: 'https://huggingface.co', description: 'HF_ENDPOINT' }) source!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The commit the files come from' })
  revision!: string | null;
  @ApiProperty({ description: 'Bytes fetched, resumed ones included' }) bytesDone!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Bytes of the files to fetch (files already there not counted)',
  })
  bytesTotal!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 35.1 }) percent!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Over the last few seconds' })
  bytesPerSecond!: number | null;
  @ApiProperty({ type: Number, nullable: true }) secondsLeft!: number | null;
  @ApiProperty({ type: [DownloadFileDto] }) files!: DownloadFileDto[];
  @ApiProperty({ description: 'Tries so far' }) attempt!: number;
  @ApiProperty() startedAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiPropertyOptional() retryAt?: string;
  @ApiPropertyOptional({ description: 'Why the last try failed' }) error?: string;
}
