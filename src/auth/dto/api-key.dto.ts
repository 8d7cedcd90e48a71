import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { SCOPE_DESCRIPTION, SCOPE_FORMAT } from '../scopes';

export class CreateApiKeyDto {
  @ApiProperty({ description: 'What the key is for (1-100 characters)', example: 'team-a search' })
  @IsString()
  @Matches(/^[^\p{Cc}]{1,100}$/u, {
    message: 'name must be 1-100 characters with no control characters',
  })
  name!: string;

  @ApiProperty({
    description: `1-32 scopes, each ${SCOPE_DESCRIPTION}. write includes read.`,
    example: ['read:handbook', 'write:team-*'],
    type: [String],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(32)
  @IsString({ each: true })
  @MaxLength(80, { each: true })
  @Matches(SCOPE_FORMAT, { each: true, message: `each scope must be ${SCOPE_DESCRIPTION}` })
  scopes!: string[];

  @ApiPropertyOptional({
    description: 'When the key stops working (ISO 8601, in the future); default: never',
    example: '2030-01-01T00:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class ApiKeyDto {
  @ApiProperty({
    description: 'The id, also the 16 hex characters after "ragd_" in the key',
    example: '3f2a9c0d1b4e5f67',
  })
  id!: string;
  @ApiProperty({ example: 'team-a search' }) name!: string;
  @ApiProperty({ type: [String], example: ['read:handbook'] }) scopes!: string[];
  @ApiProperty({ description: 'ISO 8601' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'ISO 8601; null: never' })
  expiresAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'ISO 8601; recorded in memory at once, in SQLite at most once a minute',
  })
  lastUsedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description:
      'The key: ragd_<id>_<64 hex characters>. Shown this once; the server keeps only its SHA-256.',
    example: 'ragd_3f2a9c0d1b4e5f67_9b1c...',
  })
  key!: string;
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) keys!: ApiKeyDto[];
}
