// A household's address by id, for lists that hold only visits (today's visits).
import { useTranslation } from 'react-i18next';
import { useHousehold } from '../db/hooks';
import { formatAddress } from './address';

export function HouseholdLabel({ id }: { id: string }) {
  const { t } = useTranslation('common');
  const detail = useHousehold(id);
  if (!detail) return <span>{t('loading')}</span>;
  const { household } = detail;
  return (
    <span>
      {formatAddress(t, household.address)}
      {household.headName ? ` — ${household.headName}` : ''}
    </span>
  );
}
