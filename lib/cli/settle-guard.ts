/**
 * A command's promise that has not settled when Node is about to exit (its event loop ran empty)
 * is a chorus bug, never a success: report it and fail, rather than exit 0 silently.
 */
export function guardUnsettled<T>(work: Promise<T>, onUnsettled: () => void, proc: Pick<NodeJS.Process, 'once' | 'off'> = process): Promise<T> {
  let settled = false;
  const check = () => {
    if (!settled) onUnsettled();
  };
  proc.once('beforeExit', check);
  const done = () => {
    settled = true;
    proc.off('beforeExit', check);
  };
  work.then(done, done);
  return work;
}
