import { dependentGraph } from './adjacency.js';
import { BLOCKING_KINDS } from './edge-kinds.js';
import { walkOrder } from './fold.js';
import { DONE, isDone, type NodeState } from './node-state.js';
import type { Structure } from './structure.js';

/**
 * "Unblocks the most remaining work" (SPEC §1): the number of tasks on the longest chain of
 * not-done blocking work that starts at a task and follows its dependents (blocks,
 * conditional-blocks, waits-for, and parent to child). Done tasks and tasks on a cycle count
 * 0 and break chains: a cycle never runs, so nothing past it can be released.
 */
function counts(state: NodeState): boolean {
  return state.cycle < 0 && !isDone(state.task.status);
}

function countedDependents(structure: Structure, id: string): string[] {
  if (!counts(structure.state(id)!)) return [];
  return structure.sources(id, BLOCKING_KINDS).filter((d) => counts(structure.state(d)!));
}

/** Every task's depth: a fold over the counted dependents, children first, keeping the longest chain. */
export function computeDepths(structure: Structure): void {
  const { nodes, status } = structure;
  const counted = new Uint8Array(nodes.length);
  for (let v = 0; v < nodes.length; v++) counted[v] = nodes[v]!.cycle < 0 && (status[v]! & DONE) === 0 ? 1 : 0;
  const dependents = dependentGraph(structure, BLOCKING_KINDS, counted, counted);
  const { start, adj } = dependents;
  const { order, back } = walkOrder(dependents);
  const depth = new Int32Array(nodes.length);
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    let longest = counted[v]!;
    for (let i = start[v]!; i < start[v + 1]!; i++) if (back[i] === 0) longest = Math.max(longest, depth[adj[i]!]! + 1);
    depth[v] = longest;
    nodes[v]!.depth = longest;
  }
}

function depthFromDependents(structure: Structure, id: string): number {
  if (!counts(structure.state(id)!)) return 0;
  let best = 0;
  for (const d of countedDependents(structure, id)) best = Math.max(best, structure.state(d)!.depth);
  return best + 1;
}

/**
 * After `id` changed between done and not done: its own depth, then the tasks it depends
 * on, upstream, as far as a value actually changes. The counted graph is acyclic, so this
 * settles.
 */
export function refreshDepths(structure: Structure, id: string): void {
  const work = [id];
  let first = true;
  while (work.length > 0) {
    const current = work.pop()!;
    const state = structure.state(current)!;
    const depth = depthFromDependents(structure, current);
    if (depth === state.depth && !first) continue;
    first = false;
    state.depth = depth;
    for (const upstream of structure.targets(current, BLOCKING_KINDS)) {
      if (counts(structure.state(upstream)!)) work.push(upstream);
    }
  }
}
