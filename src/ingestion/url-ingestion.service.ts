import { Inject, Injectable } from '@nestjs/common';
import type { Settings } from '../config/settings';
import { SETTINGS } from '../config/settings.provider';
import {
  InvalidInputError,
  PayloadTooLargeError,
  UrlFetchFailedError,
  UrlNotAllowedError,
} from '../common/errors';
import { FetchedUrl, UrlFetchError, fetchUrl } from './url-fetcher';

/** Fetches a document to ingest by URL, with the limits of the settings, and says in HTTP terms what went wrong. */
@Injectable()
export class UrlIngestionService {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  async fetch(url: string): Promise<FetchedUrl> {
    try {
      return await fetchUrl(url, {
        maxBytes: this.settings.limits.maxFileBytes,
        ...this.settings.urlFetch,
      });
    } catch (e) {
      if (!(e instanceof UrlFetchError)) throw e;
      switch (e.reason) {
        case 'scheme':
          throw new InvalidInputError(e.message, { url });
        case 'address':
          throw new UrlNotAllowedError(url, e.message);
        case 'too_large':
          throw new PayloadTooLargeError(`${e.message} (MAX_FILE_BYTES)`, { url });
        case 'timeout':
          throw new UrlFetchFailedError(url, `${e.message} (URL_FETCH_TIMEOUT_MS)`, true);
        case 'redirects':
          throw new UrlFetchFailedError(url, `${e.message} (URL_FETCH_MAX_REDIRECTS)`, false);
        case 'status':
        case 'network':
          throw new UrlFetchFailedError(url, e.message, false);
      }
    }
  }
}
