/** SPEC §7. */
export const EXIT = {
  ok: 0,
  /** Something chorus ran ended blocked or failed. */
  failed: 1,
  /** Bad usage or configuration. */
  usage: 2,
  interrupted: 130,
} as const;
