/** Exact nearest neighbours by brute-force dot product (vectors are normalised: dot = cosine). */

/** Labels of the k rows of `matrix` (row-major, `dim` wide) with the largest dot product with query. */
export function exactTopK(
  matrix: Float32Array,
  dim: number,
  labels: Int32Array,
  query: Float32Array,
  k: number,
): number[] {
  const rows = labels.length;
  const bestScore = new Float64Array(k).fill(-Infinity);
  const bestRow = new Int32Array(k).fill(-1);
  for (let r = 0; r < rows; r++) {
    const off = r * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += matrix[off + d]! * query[d]!;
    if (s <= bestScore[k - 1]!) continue;
    // Insertion into the sorted top-k (descending).
    let i = k - 1;
    while (i > 0 && bestScore[i - 1]! < s) {
      bestScore[i] = bestScore[i - 1]!;
      bestRow[i] = bestRow[i - 1]!;
      i--;
    }
    bestScore[i] = s;
    bestRow[i] = r;
  }
  return [...bestRow].filter((r) => r >= 0).map((r) => labels[r]!);
}

/** |found ∩ truth| / |truth|. */
export function recall(found: readonly number[], truth: readonly number[]): number {
  if (truth.length === 0) return 1;
  const f = new Set(found);
  return truth.filter((t) => f.has(t)).length / truth.length;
}
