// One wording for every failed write (next to WriteFailure, which it reads), so
// "device storage full" reads the same on every form and never looks like a validation problem.
import type { WriteFailure } from './repo';

type T = (key: string) => string;

export function failureMessage(t: T, failure: WriteFailure): string {
  switch (failure.reason) {
    case 'quota':
      return t('common:errors.quota');
    case 'not_found':
      return t('common:errors.notFound');
    case 'consent_required':
      return t('common:errors.consentRequired');
    case 'invalid':
      return t('common:errors.invalid');
  }
}

export function fieldErrorsOf(failure: WriteFailure | null): Record<string, string> {
  return failure?.reason === 'invalid' ? failure.errors : {};
}
