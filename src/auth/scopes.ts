/**
 * What a key may do. `admin`: everything. `read:<pattern>`: search, ask, chat, evaluate, read
 * documents and jobs of the collections the pattern names; `write:<pattern>`: read, plus add,
 * replace and delete documents, run jobs, re-embed, create, change and delete those collections.
 * A pattern is a collection name, or a prefix ending in `*` (`team-*`; `*` alone: every collection).
 */
export type Need = 'read' | 'write';

export const SCOPE_FORMAT =
  /^(?:admin|(?:read|write):(?:[A-Za-z0-9][A-Za-z0-9_-]{0,63}|[A-Za-z0-9_-]{0,63}\*))$/;

export const SCOPE_DESCRIPTION =
  '"admin", or "read:<pattern>" / "write:<pattern>" where the pattern is a collection name or a prefix ending in "*" (read:handbook, write:team-*, read:*)';

export function isScope(text: string): boolean {
  return SCOPE_FORMAT.test(text);
}

export function isAdmin(scopes: readonly string[]): boolean {
  return scopes.includes('admin');
}

/** Whether the scopes let a key `need` (read or write) the collection `name`. */
export function allows(scopes: readonly string[], need: Need, name: string): boolean {
  for (const scope of scopes) {
    if (scope === 'admin') return true;
    const colon = scope.indexOf(':');
    const kind = scope.slice(0, colon);
    if (kind !== 'write' && (kind !== 'read' || need !== 'read')) continue;
    if (patternMatches(scope.slice(colon + 1), name)) return true;
  }
  return false;
}

/** `handbook` matches only handbook; `team-*` every name that starts with "team-". */
export function patternMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}
