// A screen's main next step as one big link at the bottom (the forms' own is
// SaveBar). `sticky` keeps it within thumb reach while the list scrolls.
import { href } from '../router';

export function BottomLink({ path, label, sticky = false }: { path: string; label: string; sticky?: boolean }) {
  return (
    <div className={sticky ? 'bottom-actions sticky' : 'bottom-actions'}>
      <a className="button primary big" href={href(path)}>
        {label}
      </a>
    </div>
  );
}
