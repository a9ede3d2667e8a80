// Bottom navigation: within thumb reach on a phone held in one hand.
import { useTranslation } from 'react-i18next';
import { href, paths, type Route } from '../router';
import './BottomNav.css';

const ITEMS = [
  { key: 'home', icon: '⌂', path: paths.home(), match: ['home', 'search'] },
  { key: 'households', icon: '▦', path: paths.households(), match: ['households', 'household', 'householdNew', 'householdEdit', 'personNew', 'person', 'personEdit', 'visit'] },
  { key: 'followups', icon: '↻', path: paths.followups(), match: ['followups'] },
  { key: 'coverage', icon: '◫', path: paths.coverage(), match: ['coverage'] },
  { key: 'point', icon: '✚', path: paths.point(), match: ['point'] },
] as const;

export function BottomNav({ route }: { route: Route }) {
  const { t } = useTranslation('common');
  return (
    <nav className="bottom-nav" aria-label={t('nav.label')}>
      <ul>
        {ITEMS.map((item) => {
          const current = (item.match as readonly string[]).includes(route.name);
          return (
            <li key={item.key}>
              <a href={href(item.path)} aria-current={current ? 'page' : undefined}>
                <span className="nav-icon" aria-hidden="true">
                  {item.icon}
                </span>
                <span className="nav-label">{t(`nav.${item.key}`)}</span>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
