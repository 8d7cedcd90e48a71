import { ApiProperty } from '@nestjs/swagger';

/** Where a chunk is in its document: the headings it is under and the pages it is on. */
export class ChunkPlaceDto {
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'The headings the chunk is under, outermost first; null when the document has no headings (plain text, JSON texts)',
    example: 'Methods > Training',
  })
  sectionPath!: string | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      'First page (1-based) the chunk is on; null when the document is not paged (only PDFs are)',
    example: 3,
  })
  pageStart!: number | null;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Last page the chunk is on; null when the document is not paged',
    example: 4,
  })
  pageEnd!: number | null;
}

/** Where a chunk is, and how its text was read (from a text layer, or by OCR). */
export class ChunkReadPlaceDto extends ChunkPlaceDto {
  @ApiProperty({
    nullable: true,
    type: Number,
    description:
      "Read by OCR (a scanned page or an image): the recogniser's mean word confidence (0-100) on the chunk's pages, weighted by its characters on each; null for text from a text layer",
    example: 91.4,
  })
  ocrConfidence!: number | null;
}
