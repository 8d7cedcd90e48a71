import { JOB_STATES } from '../database/jobs.repository';
import type { StatsRepository } from '../database/stats.repository';
import type { InferenceEngines } from '../engines/inference-engines';
import type { ModelState, ReplicaStatus } from '../engines/model-status';
import type { StorageMonitor } from '../storage/storage-monitor.service';
import type { VectorStore } from '../vector-store/vector-store';
import { capCollections } from './collection-labels';
import type { RagdMetrics } from './metrics-registry';

const MODEL_STATES: readonly ModelState[] = [
  'not_loaded',
  'downloading',
  'loading',
  'ready',
  'unavailable',
];
const REPLICA_STATES: readonly ReplicaStatus['state'][] = ['unknown', 'up', 'down'];

/**
 * Sets the gauges of stored state just before a scrape: two COUNT queries on indexed columns (chunks
 * per collection and state, jobs per state), the vector stores' sizes, the engines' model states
 * and one statfs. Series of collections that are gone disappear (the gauges are reset each time).
 */
export class StateGauges {
  constructor(
    private readonly metrics: RagdMetrics,
    private readonly stats: StatsRepository,
    private readonly vectors: VectorStore,
    private readonly engines: InferenceEngines,
    private readonly storage: StorageMonitor,
    private readonly maxCollections: number,
  ) {}

  refresh(): void {
    const { chunks, indexVectors, jobs, modelState, storageFreeBytes, collectionsTotal } =
      this.metrics;
    const { modelDownloadBytes, modelDownloadRate } = this.metrics;
    const rows = this.stats.chunksByCollection();
    const samples = capCollections(
      rows.map((r) => ({ ...r, vectors: this.vectors.size(r.id) })),
      this.maxCollections,
    );
    chunks.reset();
    indexVectors.reset();
    for (const s of samples) {
      chunks.set({ collection: s.name, state: 'embedded' }, s.embedded);
      chunks.set({ collection: s.name, state: 'pending' }, s.pending);
      indexVectors.set({ collection: s.name }, s.vectors);
    }
    collectionsTotal.set(rows.length);

    const byState = new Map(this.stats.jobsByState().map((r) => [r.state, r.n]));
    for (const state of JOB_STATES) jobs.set({ state }, byState.get(state) ?? 0);

    modelState.reset();
    modelDownloadBytes.reset();
    modelDownloadRate.reset();
    const { remoteReplicaState, remoteReplicaInFlight } = this.metrics;
    remoteReplicaState.reset();
    remoteReplicaInFlight.reset();
    for (const m of this.engines.statuses()) {
      for (const state of MODEL_STATES)
        modelState.set(
          { model: m.id, dtype: m.dtype, task: m.task, state },
          m.state === state ? 1 : 0,
        );
      // A remote model's replicas: configured URLs (credentials dropped), so the labels stay few.
      for (const r of m.remote?.replicas ?? []) {
        const labels = { task: m.task, model: m.id, replica: r.url };
        for (const state of REPLICA_STATES)
          remoteReplicaState.set({ ...labels, state }, r.state === state ? 1 : 0);
        remoteReplicaInFlight.set(labels, r.inFlight);
      }
      const d = m.download;
      if (!d || d.state === 'done') continue;
      const labels = { model: m.id, dtype: m.dtype };
      modelDownloadBytes.set({ ...labels, kind: 'done' }, d.bytesDone);
      if (d.bytesTotal !== null) modelDownloadBytes.set({ ...labels, kind: 'total' }, d.bytesTotal);
      modelDownloadRate.set(labels, d.bytesPerSecond ?? 0);
    }

    const free = this.storage.status().freeBytes;
    if (free === null) storageFreeBytes.reset();
    else storageFreeBytes.set(free);
  }
}
