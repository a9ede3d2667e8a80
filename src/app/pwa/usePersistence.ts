import { useEffect, useState } from 'react';
import { onPersistence, persistence, type Persistence } from './persist';

export function usePersistence(): Persistence {
  const [p, setP] = useState(persistence());
  useEffect(() => {
    setP(persistence());
    return onPersistence(setP);
  }, []);
  return p;
}
