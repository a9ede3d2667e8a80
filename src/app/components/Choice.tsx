// A button that shows a choice as pressed or not (aria-pressed), for one-tap
// answers: an outcome, consent, "anonymous", "escalate". Its look is
// button.choice in base.css.
import type { ReactNode } from 'react';

export function Choice({
  pressed,
  onPress,
  variant,
  children,
}: {
  pressed: boolean;
  onPress: () => void;
  /** An extra class beside "choice", e.g. outcome-helped for its colour. */
  variant?: string;
  children: ReactNode;
}) {
  return (
    <button type="button" className={variant ? `choice ${variant}` : 'choice'} aria-pressed={pressed} onClick={onPress}>
      {children}
    </button>
  );
}
