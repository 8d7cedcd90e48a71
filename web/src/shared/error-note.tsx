import { ApiError } from '../api/api.client';

/** What went wrong, in words, with the server's error code; announced to screen readers. */
export function ErrorNote({ error, what }: { error: Error | undefined; what?: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {what ? `${what}: ` : ''}
      {describe(error)}
    </p>
  );
}

export function describe(error: Error): string {
  if (!(error instanceof ApiError)) return error.message;
  switch (error.status) {
    case 401:
      return 'An API key is needed (401).';
    case 403:
      return error.code === 'forbidden'
        ? `This API key may not do that (403): ${error.message}`
        : `${error.message} (403 ${error.code})`;
    default:
      return `${error.message} (${error.status} ${error.code})`;
  }
}
