import { Controller, Get, Param, Res } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { RequireScope } from '../auth/require-scope.decorator';
import { OriginalNotKeptError } from '../common/errors';
import { ErrorDto } from '../http/error.dto';
import { DocumentOriginals } from './document-originals.service';

@ApiTags('documents')
@Controller('v1/collections/:name/documents')
export class DocumentFileController {
  constructor(private readonly originals: DocumentOriginals) {}

  @Get(':id/file')
  @RequireScope('read')
  @ApiOperation({
    summary: 'The original file of a document, as it was uploaded or fetched',
    description:
      'Kept for documents added as files or URLs (KEEP_ORIGINALS, on by default), with the content type the document was read as. PDFs are served inline, other formats as attachments; nothing served here runs as a page of this origin (Content-Security-Policy: sandbox).',
  })
  @ApiProduces('application/pdf', 'application/octet-stream')
  @ApiOkResponse({ description: 'The file' })
  @ApiNotFoundResponse({
    type: ErrorDto,
    description: 'No such collection or document (404), or no original kept (original_not_kept)',
  })
  file(@Param('name') name: string, @Param('id') id: string, @Res() res: Response): void {
    const { file, document } = this.originals.of(name, id);
    if (!file) throw new OriginalNotKeptError(name, id);
    const pdf = document.contentType === 'application/pdf';
    const filename = (document.source ?? id).split('/').pop() || id;
    res.attachment(filename); // content-disposition with the file name, safely encoded
    if (pdf)
      res.setHeader(
        'content-disposition',
        res.get('content-disposition')!.replace(/^attachment/, 'inline'),
      );
    res.setHeader('content-type', document.contentType);
    res.setHeader('content-security-policy', "sandbox; default-src 'none'");
    res.setHeader('cache-control', 'private, no-cache');
    res.sendFile(file, { dotfiles: 'allow' }, (e) => {
      if (!e || res.headersSent) return;
      const gone = new OriginalNotKeptError(name, id); // removed meanwhile (deleted or replaced)
      res.status(gone.status).json({ error: { code: gone.code, message: gone.message } });
    });
  }
}
