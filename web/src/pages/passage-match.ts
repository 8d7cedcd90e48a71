/**
 * Which text runs of a PDF page belong to a cited passage. The server read the same runs with
 * pdf.js, then joined words hyphenated at line ends and ordered columns, so runs are compared as
 * words (letters and digits, case folded): a run is in the passage when its words are, or, at the
 * passage's edges, when it ends with the passage's first words or starts with its last ones.
 */
export function runsInPassage(runs: readonly string[], passage: string): boolean[] {
  const target = ` ${words(passage).join(' ')} `;
  const targetWords = target.trim().split(' ');
  const hit = runs.map((run, i) => {
    const w = words(run);
    if (w.length === 0) return false;
    const text = w.join(' ');
    if (text.length < 3) return false; // too short to tell (page numbers, bullets)
    if (/[-\u2010\u00ad]\s*$/.test(run)) return target.includes(` ${text}`); // "eco-" of "economy"
    if (target.includes(` ${text} `)) return true;
    const previous = runs[i - 1];
    if (
      previous !== undefined &&
      /[-\u2010\u00ad]\s*$/.test(previous) &&
      target.includes(`${text} `)
    )
      return true; // "nomy class" after "eco-"
    return overlapsEdge(w, targetWords);
  });
  // Short runs (a lone word, a number) between two runs of the passage are in it too.
  return hit.map((h, i) => h || (i > 0 && i < hit.length - 1 && hit[i - 1]! && hit[i + 1]!));
}

/** The run's last words start the passage, or its first words end it (3 words at least). */
function overlapsEdge(run: readonly string[], target: readonly string[]): boolean {
  const most = Math.min(run.length, target.length);
  for (let k = most; k >= 3; k--) {
    if (same(run.slice(run.length - k), target.slice(0, k))) return true;
    if (same(run.slice(0, k), target.slice(target.length - k))) return true;
  }
  return false;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}
