/**
 * The last upload job of each collection, kept in localStorage so that the collection's page shows
 * it again after a reload even when the address has lost its ?job= (a new tab, a bookmark).
 */
const PREFIX = 'ragd.job.';

export function rememberJob(collection: string, jobId: string): void {
  try {
    localStorage.setItem(PREFIX + collection, jobId);
  } catch {
    // storage refused: the address still carries the job
  }
}

export function rememberedJob(collection: string): string | null {
  try {
    return localStorage.getItem(PREFIX + collection);
  } catch {
    return null;
  }
}

export function forgetJob(collection: string, jobId: string): void {
  try {
    if (localStorage.getItem(PREFIX + collection) === jobId)
      localStorage.removeItem(PREFIX + collection);
  } catch {
    // nothing kept
  }
}
