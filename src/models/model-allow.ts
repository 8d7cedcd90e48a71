/** Whether a model id matches MODEL_ALLOW: an exact id, or a prefix ending in `*`. */
export function matchesModelAllow(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? id.startsWith(p.slice(0, -1)) : p === id));
}
