/** What the dispatcher knows about the agents running now. */
export interface Occupancy {
  running: number;
  /** True while a task labelled `chorus:exclusive` runs: nothing else may start. */
  exclusiveRunning: boolean;
}

export interface Selection<T> {
  start: T[];
  /** A task taken from the candidates that must wait (an exclusive task while others run); it goes back in the queue. */
  putBack: T[];
}

/**
 * Picks which ready tasks start now. Pure: candidates are consumed lazily in dispatch order,
 * so only as many are taken as there are free slots. Never exceeds `maxAgents`. An exclusive
 * task at the head waits for the running agents to finish, and nothing overtakes it meanwhile,
 * so it cannot starve behind a stream of small tasks.
 */
export function selectStarts<T>(
  occupancy: Occupancy,
  candidates: Iterable<T>,
  maxAgents: number,
  isExclusive: (task: T) => boolean,
): Selection<T> {
  const start: T[] = [];
  const putBack: T[] = [];
  if (occupancy.exclusiveRunning) return { start, putBack };
  let running = occupancy.running;
  for (const task of candidates) {
    if (running >= maxAgents) {
      putBack.push(task);
      break;
    }
    if (isExclusive(task)) {
      if (running === 0) start.push(task);
      else putBack.push(task);
      break;
    }
    start.push(task);
    running += 1;
  }
  return { start, putBack };
}
