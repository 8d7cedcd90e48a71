/** The API key of this browser tab: kept in sessionStorage, so it ends with the session. */
const KEY = 'ragd.apiKey';

export function storedApiKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeApiKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage refused (private mode): the key lives until the page is reloaded
  }
}
