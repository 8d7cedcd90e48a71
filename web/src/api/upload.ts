import { ApiError, onUnauthorizedNotify } from './api.client';
import { storedApiKey } from './api-key.store';

/**
 * POSTs a form (files) with upload progress, which fetch cannot report: XMLHttpRequest's
 * upload.onprogress. Resolves with the parsed JSON of a 2xx answer, rejects with an ApiError.
 */
export function uploadForm<T>(
  path: string,
  form: FormData,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('accept', 'application/json');
    const key = storedApiKey();
    if (key) xhr.setRequestHeader('authorization', `Bearer ${key}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onerror = () => reject(new Error('The upload failed: the server could not be reached'));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled', 'AbortError'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as T);
      const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const error = new ApiError(
        xhr.status,
        typeof e?.code === 'string' ? e.code : `http_${xhr.status}`,
        typeof e?.message === 'string' ? e.message : xhr.statusText,
      );
      if (xhr.status === 401) onUnauthorizedNotify(error);
      reject(error);
    };
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(form);
  });
}
