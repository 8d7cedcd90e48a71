import { useEffect, useRef, useState } from 'preact/hooks';
import { storeApiKey } from '../api/api-key.store';

/**
 * Asks for an API key after the server answered 401. The key is kept in sessionStorage (this tab,
 * until it closes) and sent as `Authorization: Bearer <key>`.
 */
export function KeyDialog(props: { message: string; onDone: (key: string | null) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState('');
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="key-dialog"
      aria-labelledby="key-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onDone(null);
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          const k = key.trim();
          if (!k) return;
          storeApiKey(k);
          props.onDone(k);
        }}
      >
        <h2 id="key-dialog-title">API key required</h2>
        <p>{props.message}</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p class="hint">Kept for this browser tab only (sessionStorage), until it is closed.</p>
        <div class="actions">
          <button type="submit" class="primary">
            Use key
          </button>
          <button type="button" onClick={() => props.onDone(null)}>
            Not now
          </button>
        </div>
      </form>
    </dialog>
  );
}
