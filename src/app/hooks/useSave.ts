// One form's save: a single write at a time (`saving` disables the Save
// button, and a second tap while it runs does nothing), and the failed write
// kept, with its field errors, until a save succeeds.
import { useState } from 'react';
import type { WriteFailure, WriteResult } from '../db/repo';
import { fieldErrorsOf } from '../db/writeFailure';

export function useSave() {
  const [failure, setFailure] = useState<WriteFailure | null>(null);
  const [saving, setSaving] = useState(false);

  /** Runs the write unless one is under way: the saved record, or undefined when it failed or did not run. */
  async function save<T>(write: () => Promise<WriteResult<T>>): Promise<T | undefined> {
    if (saving) return undefined;
    setSaving(true);
    const result = await write();
    setSaving(false);
    if (!result.ok) {
      setFailure(result);
      return undefined;
    }
    setFailure(null);
    return result.record;
  }

  return { failure, errors: fieldErrorsOf(failure), saving, save };
}
