// "A record was saved" — the sync engine wakes shortly after each save and the
// app asks for persistent storage after the first one. Emitted after commit.
const target = new EventTarget();

export function emitSaved(): void {
  target.dispatchEvent(new Event('saved'));
}

export function onSaved(listener: () => void): () => void {
  target.addEventListener('saved', listener);
  return () => target.removeEventListener('saved', listener);
}
