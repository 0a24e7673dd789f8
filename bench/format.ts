/** 12,345 */
export const formatCount = (n: number): string => n.toLocaleString('en');

/** Sizes in MB mean MiB (2^20 bytes) throughout, as GNU time's KB are KiB. */
export const toMb = (bytes: number): number => bytes / 2 ** 20;
