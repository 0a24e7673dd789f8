import { dependentGraph } from './adjacency.js';
import { BLOCKER_KINDS } from './edge-kinds.js';
import { walkOrder } from './fold.js';
import { DONE, type NodeState } from './node-state.js';
import type { Structure } from './structure.js';

/**
 * Work that runs: a task chorus would start once nothing holds it back. Not done, not on a
 * cycle (never started), not a container or system type, not flagged pinned or ephemeral. Its
 * status may be anything else: in progress, blocked by a failure or deferred, it is still work
 * that has to happen.
 */
function runsAsWork(state: NodeState, statusBits: number, skipTypes: ReadonlySet<string>): boolean {
  const { task } = state;
  if ((statusBits & DONE) !== 0 || state.cycle >= 0) return false;
  if (task.issueType !== undefined && skipTypes.has(task.issueType)) return false;
  return task.pinned !== true && task.ephemeral !== true;
}

/**
 * The critical path: the longest chain of work that runs in which each task must wait for the
 * one before it to close, first task first (smallest id on ties, at the start and at each step).
 *
 * Only blocks and conditional-blocks edges chain work that way. A child does not wait for its
 * parent to close, only for what blocks the parent; a waits-for task waits for its target's
 * children, not for the target itself. So those edges never make the path, and a container
 * (an epic over its children) is never on it. Unlike a task's `depth` (what closing it
 * releases, containers included), this is worked out when asked for: only `chorus graph` asks.
 */
export function criticalPath(structure: Structure, skipTypes: ReadonlySet<string>): string[] {
  const { nodes, status } = structure;
  const n = nodes.length;
  const work = new Uint8Array(n);
  for (let v = 0; v < n; v++) work[v] = runsAsWork(nodes[v]!, status[v]!, skipTypes) ? 1 : 0;
  // Tasks on a cycle are left out, so this graph has none and every chain is exact.
  const dependents = dependentGraph(structure, BLOCKER_KINDS, work, work);
  const { start, adj } = dependents;
  const { order, back } = walkOrder(dependents);
  // The longest chain starting at each task, itself included; 0 for what is not work.
  const length = new Int32Array(n);
  for (let k = 0; k < order.length; k++) {
    const v = order[k]!;
    if (work[v] === 0) continue;
    let longest = 1;
    for (let i = start[v]!; i < start[v + 1]!; i++) if (back[i] === 0) longest = Math.max(longest, length[adj[i]!]! + 1);
    length[v] = longest;
  }

  let first = -1;
  for (let v = 0; v < n; v++) {
    if (length[v]! > (first < 0 ? 0 : length[first]!) || (first >= 0 && length[v] === length[first] && nodes[v]!.id < nodes[first]!.id)) first = v;
  }
  const path: string[] = [];
  for (let at = first; at >= 0; ) {
    path.push(nodes[at]!.id);
    let next = -1;
    for (let i = start[at]!; i < start[at + 1]!; i++) {
      const d = adj[i]!;
      if (length[d] === length[at]! - 1 && (next < 0 || nodes[d]!.id < nodes[next]!.id)) next = d;
    }
    at = next;
  }
  return path;
}
