// beforeinstallprompt fires once, early, possibly before React mounts; it is
// captured here (imported first by main.tsx) and handed to the install button.
export interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

let deferred: InstallPromptEvent | undefined;
const listeners = new Set<() => void>();

export function captureInstallPrompt(): void {
  if (typeof window === 'undefined') return;
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault(); // show our own button instead of the mini-infobar
    deferred = e as InstallPromptEvent;
    for (const l of listeners) l();
  });
  window.addEventListener('appinstalled', () => {
    deferred = undefined;
    for (const l of listeners) l();
  });
}

export function installPrompt(): InstallPromptEvent | undefined {
  return deferred;
}

export function consumeInstallPrompt(): void {
  deferred = undefined;
  for (const l of listeners) l();
}

export function onInstallPromptChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function isIos(ua: string = globalThis.navigator?.userAgent ?? ''): boolean {
  return /iphone|ipad|ipod/i.test(ua);
}

export function isStandalone(): boolean {
  if (typeof window === 'undefined') return false;
  const nav = navigator as Navigator & { standalone?: boolean };
  return window.matchMedia?.('(display-mode: standalone)').matches || nav.standalone === true;
}
