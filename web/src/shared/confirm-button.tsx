import { useState } from 'preact/hooks';

/**
 * A destructive action in two steps: the button asks, then "Yes, delete" (or Cancel) decides. The
 * question is announced; Escape cancels.
 */
export function ConfirmButton(props: {
  label: string;
  /** Accessible name of the first button, e.g. "Delete collection handbook". */
  name: string;
  question: string;
  confirmLabel?: string;
  onConfirm: () => Promise<void> | void;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!asking)
    return (
      <button type="button" class="danger" aria-label={props.name} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    );
  const escape = (e: KeyboardEvent) => {
    if (e.key === 'Escape') setAsking(false);
  };
  const confirm = async () => {
    setBusy(true);
    try {
      await props.onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span class="confirm" role="group" aria-label={props.question}>
      <span role="status">{props.question}</span>{' '}
      <button
        type="button"
        class="danger"
        disabled={busy}
        ref={(el) => el?.focus()}
        onKeyDown={escape}
        onClick={() => void confirm()}
      >
        {props.confirmLabel ?? 'Yes, delete'}
      </button>{' '}
      <button type="button" onKeyDown={escape} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
