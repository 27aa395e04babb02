/** The "clear" button of a `clearable` Select or DatePicker. */
import { XIcon } from "lucide-react";

export function ClearButton({ label, onClear, disabled }: { label: string; onClear: () => void; disabled?: boolean }) {
  return (
    <button type="button" className="ck-clear" aria-label={label} onClick={onClear} disabled={disabled}>
      <XIcon size={14} aria-hidden="true" />
    </button>
  );
}
