// Save confirmations. A screen calls flash() and usually navigates away; the
// region lives in the shell, so the message outlives the form and is announced
// by screen readers (aria-live) wherever the volunteer lands.
import { useEffect, useSyncExternalStore } from 'react';
import './Flash.css';

export interface FlashMessage {
  id: number;
  text: string;
  tone: 'ok' | 'error';
}

let current: FlashMessage | null = null;
let nextId = 1;
const listeners = new Set<() => void>();

export function flash(text: string, tone: FlashMessage['tone'] = 'ok'): void {
  current = { id: nextId++, text, tone };
  listeners.forEach((l) => l());
}

export function clearFlash(): void {
  current = null;
  listeners.forEach((l) => l());
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function FlashRegion({ timeoutMs = 6000 }: { timeoutMs?: number }) {
  const message = useSyncExternalStore(subscribe, () => current, () => null);
  // The shell unmounts on sign-out: a message still showing ("Đã thêm <name>")
  // must not greet the next volunteer on a shared phone.
  useEffect(() => clearFlash, []);
  useEffect(() => {
    if (!message) return undefined;
    const t = setTimeout(() => {
      if (current?.id === message.id) clearFlash();
    }, timeoutMs);
    return () => clearTimeout(t);
  }, [message, timeoutMs]);
  return (
    <div className={`flash${message ? ` flash-${message.tone}` : ''}`} role="status" aria-live="polite">
      {message?.text}
    </div>
  );
}
