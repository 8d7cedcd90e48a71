import { useState } from 'preact/hooks';
import { api, modelPath } from '../api/api.client';
import type { ModelEntry, ModelTask } from '../api/types';
import { asError } from '../api/use-api';
import { ErrorNote } from '../shared/error-note';

const TASKS: readonly ModelTask[] = ['embedding', 'generation', 'reranking'];

/**
 * Admin: fetch a model from the hub into MODELS_DIR ahead of use (POST /v1/models/{id}/pull); the
 * table then shows its download's progress.
 */
export function PullModelForm(props: { onStarted: (m: ModelEntry) => void }) {
  const [id, setId] = useState('');
  const [task, setTask] = useState<ModelTask | ''>('');
  const [dtype, setDtype] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();

  const pull = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const m = await api<ModelEntry>(`/v1/models/${modelPath(id.trim())}/pull`, {
        method: 'POST',
        json: { ...(task ? { task } : {}), ...(dtype.trim() ? { dtype: dtype.trim() } : {}) },
      });
      setId('');
      props.onStarted(m);
    } catch (e) {
      setError(asError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      class="card form-grid"
      aria-label="Download a model"
      onSubmit={(e) => {
        e.preventDefault();
        void pull();
      }}
    >
      <label htmlFor="pull-id">Model id</label>
      <input
        id="pull-id"
        required
        placeholder="Xenova/bge-small-en-v1.5"
        spellcheck={false}
        value={id}
        onInput={(e) => setId(e.currentTarget.value)}
      />
      <label htmlFor="pull-task">Task</label>
      <select
        id="pull-task"
        value={task}
        onChange={(e) => setTask(e.currentTarget.value as ModelTask | '')}
      >
        <option value="">as the hub says</option>
        {TASKS.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      <label htmlFor="pull-dtype">Precision</label>
      <input
        id="pull-dtype"
        placeholder="the task's configured one"
        spellcheck={false}
        value={dtype}
        onInput={(e) => setDtype(e.currentTarget.value)}
      />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Download
        </button>
        <span class="why">
          Resumes a cut download; every file is checked against the hub's hash.
        </span>
      </div>
      <ErrorNote error={error} what="Not started" />
    </form>
  );
}
