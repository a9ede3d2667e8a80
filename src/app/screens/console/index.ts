// The console chunk's one entry: the shell and every console page. ScreenSwitch
// and AppShell import this module only lazily, so it (with
// screens/supervisor/, which only this chunk imports) is one chunk that
// volunteers never download; vite.config.ts names it supervisor-* so the
// service worker does not precache it.
export { ConsoleShell } from './ConsoleShell';
export { ConsoleDashboard } from './ConsoleDashboard';
export { AttentionPage } from './AttentionPage';
export { DoorsPage } from './DoorsPage';
export { ExportsPage } from './ExportsPage';
export { ConsoleNotFound } from './ConsoleNotFound';
export { Cases } from './Cases';
export { Team } from './Team';
export { Enrol } from './Enrol';
export { City } from './City';
