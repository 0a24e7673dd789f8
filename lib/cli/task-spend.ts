import type { Task } from '../task/task.js';

/**
 * What chorus noted a task's agents spent (`chorus <time>: spent $0.0421, ...` on a close,
 * `Spent: $0.0421, ...` under a blocked note), summed over the task's runs; the tracker keeps it,
 * so it outlives the journal. Epics (and any parent) add up their children's, all the way down.
 */
export function taskSpend(tasks: Iterable<Task>): { total: number; tasks: Map<string, number>; parents: Map<string, number> } {
  const own = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const task of tasks) {
    const notes = task.raw['notes'];
    if (typeof notes === 'string' && notes.includes('pent')) {
      let sum = 0;
      for (const match of notes.matchAll(/^(?:chorus \S+: spent|Spent:) \$(\d+(?:\.\d+)?)/gm)) sum += Number(match[1]);
      if (sum > 0) own.set(task.id, sum);
    }
    for (const dep of task.dependencies) {
      if (dep.type !== 'parent-child') continue;
      const list = children.get(dep.dependsOnId) ?? [];
      list.push(task.id);
      children.set(dep.dependsOnId, list);
    }
  }
  const parents = new Map<string, number>();
  const below = (id: string, seen: Set<string>): number => {
    let sum = 0;
    for (const child of children.get(id) ?? []) {
      if (seen.has(child)) continue; // a parent-child cycle is counted once
      seen.add(child);
      sum += (own.get(child) ?? 0) + below(child, seen);
    }
    return sum;
  };
  for (const parent of children.keys()) {
    const sum = below(parent, new Set([parent]));
    if (sum > 0) parents.set(parent, sum);
  }
  let total = 0;
  for (const value of own.values()) total += value;
  return { total, tasks: own, parents };
}
