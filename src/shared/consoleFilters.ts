// The console dashboard's filter names, without zod: the router reads them
// into and out of the URL in the first bundle, where the report schemas
// (./console.ts) are not needed.
export const CHANNEL_FILTERS = ['door', 'literacy_point'] as const;
export type ChannelFilter = (typeof CHANNEL_FILTERS)[number];

/** The filter keys, in the order the console writes them into its URL. */
export const ACTIVITY_FILTER_KEYS = ['group', 'from', 'to', 'volunteer', 'channel'] as const;
export type ActivityFilters = Partial<Record<(typeof ACTIVITY_FILTER_KEYS)[number], string>>;
