// Diacritic-insensitive text keys for search. "Nguyễn Văn Ánh" → ["nguyen", "van", "anh"].
// Vietnamese đ/Đ is a separate letter, not a combining mark, so NFD alone keeps it:
// it is mapped to d explicitly, which is what people type on a phone without a
// Vietnamese keyboard.

export function foldText(input: string): string {
  return input
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** Words of a folded string: letters and digits only. */
export function words(input: string): string[] {
  return foldText(input)
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** Unique folded words of several fields, for a multi-entry index. */
export function searchWords(...fields: Array<string | undefined | null>): string[] {
  const out = new Set<string>();
  for (const f of fields) if (f) for (const w of words(f)) out.add(w);
  return [...out];
}
