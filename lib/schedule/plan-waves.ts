import type { Task } from '../beads/task.js';
import type { TaskGraph } from '../graph/index.js';

/**
 * The order a batch would start tasks in if every one succeeded: wave 1 is ready now, wave
 * N+1 is what wave N unblocks. Uses the graph's incremental close, so it mutates `graph`:
 * pass one loaded for this purpose.
 */
export function planWaves(graph: TaskGraph, now: number): Task[][] {
  const waves: Task[][] = [];
  let wave = graph.readyTasks(now);
  while (wave.length > 0) {
    waves.push(wave);
    const next = new Map<string, Task>();
    for (const task of wave) {
      graph.setStatus(task.id, 'closed');
      for (const unblocked of graph.onClosed(task.id, now)) next.set(unblocked.id, unblocked);
    }
    wave = [...next.values()].sort(graph.compare);
  }
  return waves;
}
