/**
 * The samples of a Prometheus text exposition, by series: `name{label="v",...}` (labels sorted) to
 * value. Enough for tests to compare two scrapes; not a full parser (no escapes in label values).
 */
export type Samples = Map<string, number>;

export function parsePrometheus(text: string): Samples {
  const out: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    out.set(seriesKey(m[1]!, labelsOf(m[2] ?? '')), Number(m[3]));
  }
  return out;
}

function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="([^"]*)"/g)) labels[m[1]!] = m[2]!;
  return labels;
}

export function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
}

/** The value of one series (0 when absent, as a counter that never moved). */
export function sample(s: Samples, name: string, labels: Record<string, string> = {}): number {
  return s.get(seriesKey(name, labels)) ?? 0;
}
