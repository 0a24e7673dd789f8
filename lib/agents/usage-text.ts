/**
 * How spend reads for people, in one place: the task notes, the batch summary, `chorus status`
 * and the dashboard all say it the same way, and round only when they show a total.
 */

/**
 * A cost as the agent reported it, to the tenth of a microdollar: what chorus writes into a
 * task's notes. Kept whole (not rounded to $0.0001) so that a total added up from the notes
 * (`chorus status`) is the total the batch added up from the reports, rounded once.
 */
export function exactUsd(usd: number): string {
  const [whole = '0', fraction = ''] = usd.toFixed(10).replace(/0+$/, '').split('.');
  return `$${whole}.${fraction.padEnd(4, '0')}`;
}

/** A total, rounded once, for display: `$0.4286`. */
export function roundedUsd(usd: number): string {
  return `$${usd.toFixed(4)}`;
}

/**
 * `31,403 tokens in (21,862 cache read, 9,532 cache write)`: every input token the model read,
 * with the parts that came from or went to the prompt cache named (they are billed differently,
 * and on a long session they are most of the input).
 */
export function tokensIn(input: number, cacheRead: number | undefined, cacheWrite: number | undefined): string {
  const parts: string[] = [];
  if (cacheRead) parts.push(`${count(cacheRead)} cache read`);
  if (cacheWrite) parts.push(`${count(cacheWrite)} cache write`);
  return `${count(input)} tokens in${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
