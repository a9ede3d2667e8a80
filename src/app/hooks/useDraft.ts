// A form's state kept in IndexedDB (meta "draft:<form>") as well as in React:
// restored on mount, written on every change, cleared on save. A reload, a
// crash or an app update in the middle of a visit loses nothing.
import { useEffect, useRef, useState } from 'react';
import { clearDraft, loadDraft, saveDraft } from '../db/meta';
import { useStore } from '../db/StoreContext';

export function useDraft<T>(form: string, initial: () => T) {
  const { db } = useStore();
  const [state, setState] = useState<{ value: T; restored: boolean } | null>(null);
  const dirty = useRef(false);
  const initialRef = useRef(initial);

  useEffect(() => {
    let live = true;
    dirty.current = false;
    void loadDraft<T>(db, form).then((saved) => {
      if (!live) return;
      setState(saved === undefined ? { value: initialRef.current(), restored: false } : { value: { ...initialRef.current(), ...saved }, restored: true });
    });
    return () => {
      live = false;
    };
  }, [db, form]);

  useEffect(() => {
    if (state && dirty.current) void saveDraft(db, form, state.value);
  }, [db, form, state]);

  return {
    /** undefined until the stored draft (if any) has been read. */
    value: state?.value,
    restored: state?.restored ?? false,
    update(fn: (prev: T) => T) {
      dirty.current = true;
      setState((s) => (s ? { ...s, value: fn(s.value) } : s));
    },
    /** Forget the draft (after saving, or when the volunteer discards it). */
    async reset() {
      dirty.current = false;
      await clearDraft(db, form);
      setState({ value: initialRef.current(), restored: false });
    },
  };
}
