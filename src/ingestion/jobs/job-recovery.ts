import { Injectable, Logger } from '@nestjs/common';
import { ENDED, JobsRepository } from '../../database/jobs.repository';
import { DocumentsService } from '../documents.service';
import { JobSpool } from './job-spool';

/** Ended jobs are listed for 30 days, then forgotten at the next start (their documents stay). */
const KEEP_ENDED_MS = 30 * 86_400_000;

/**
 * What a start-up finds of the jobs before it: spool folders of ended or unknown jobs removed, old
 * ended jobs forgotten, half-stored large documents removed, and items caught while parsing or
 * chunking queued again (their document ids are fixed, so nothing is stored twice).
 */
@Injectable()
export class JobRecovery {
  private readonly logger = new Logger(JobRecovery.name);

  constructor(
    private readonly repo: JobsRepository,
    private readonly spool: JobSpool,
    private readonly documents: DocumentsService,
  ) {}

  recover(): void {
    this.spool.prepare();
    const known = this.repo.ids();
    for (const id of this.spool.jobIds()) {
      const job = known.has(id) ? this.repo.find(id) : undefined;
      if (!job || ENDED.includes(job.state)) this.spool.remove(id);
    }
    const purged = this.repo.purgeEnded(new Date(Date.now() - KEEP_ENDED_MS).toISOString());
    if (purged > 0)
      this.logger.log(
        `Forgot ${purged} ingestion jobs that ended more than 30 days ago (their documents stay)`,
      );
    for (const d of this.documents.incomplete())
      this.documents.removeIncomplete(d.collection_id, d.pk);
    const requeued = this.repo.requeueInterrupted();
    const unfinished = this.repo.unfinished().length;
    if (unfinished > 0)
      this.logger.log(
        `Resuming ${unfinished} ingestion jobs (${requeued} items were interrupted and start again)`,
      );
  }
}
