import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The JSON body of every error: `{ error: { code, message, details? } }`. */
export class ErrorDetailDto {
  @ApiProperty({ example: 'collection_not_found' }) code!: string;
  @ApiProperty({ example: "Collection 'x' does not exist" }) message!: string;
  @ApiPropertyOptional({ type: Object }) details?: unknown;
  @ApiPropertyOptional({
    description: "The request's X-Request-Id (the caller's when sane, else a UUID), as in the logs",
  })
  requestId?: string;
}

export class ErrorDto {
  @ApiProperty({ type: ErrorDetailDto }) error!: ErrorDetailDto;
}
