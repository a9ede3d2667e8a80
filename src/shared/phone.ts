// Vietnamese mobile numbers are stored in one canonical form, 0XXXXXXXXX (10 digits),
// so that "+84 912 345 678", "84912345678" and "0912.345.678" are the same person.
// Mobile prefixes since the 2018 renumbering start with 3, 5, 7, 8 or 9.

const MOBILE = /^0[35789]\d{8}$/;

/** Returns the canonical number, or null if the input is not a Vietnamese mobile number. */
export function normalisePhone(input: string): string | null {
  const digits = input.replace(/[\s.\-()]/g, '');
  let local: string;
  if (/^\+84\d+$/.test(digits)) local = '0' + digits.slice(3);
  else if (/^84\d{9}$/.test(digits)) local = '0' + digits.slice(2);
  else if (/^0\d+$/.test(digits)) local = digits;
  else return null;
  return MOBILE.test(local) ? local : null;
}
