// The four platforms, their checklist steps and the blocker codes.
// These codes are stored in records, synced and exported: renaming one breaks
// existing data and supervisors' reports. Add new codes; never rename.

export const PLATFORMS = ['vneid', 'ihanoi', 'nationalPortal', 'mpsPortal'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PLATFORM_STEPS = {
  vneid: ['installed', 'registered', 'level2', 'loggedIn'],
  ihanoi: ['installed', 'registered', 'usedFeature'],
  nationalPortal: ['account', 'loggedIn', 'submitted'],
  mpsPortal: ['account', 'loggedIn', 'submitted'],
} as const satisfies Record<Platform, readonly string[]>;

export const STEP_STATUSES = ['not_started', 'done', 'blocked'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const BLOCKERS = [
  'no_smartphone',
  'phone_too_old',
  'nfc_unreadable',
  'sim_not_own_name',
  'password_locked',
  'in_person_verification',
  'declined',
  'other',
] as const;
export type Blocker = (typeof BLOCKERS)[number];

/** An escalation case's life: a responder takes it (in_progress) and resolves it. */
export const CASE_STATUSES = ['open', 'in_progress', 'resolved'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const ESCALATION_REASONS = [
  'technical',
  'identity_verification',
  'account_problem',
  'needs_official',
  'other',
] as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[number];

export function isPlatformStep(platform: string, step: string): boolean {
  const steps = (PLATFORM_STEPS as Record<string, readonly string[]>)[platform];
  return steps !== undefined && steps.includes(step);
}
