import type { Task } from '../beads/task.js';
import { findCycleComponents, type CycleComponent } from './cycles.js';
import { computeDepths } from './depth.js';
import { foldGraph } from './fold.js';
import { addChild, childClass, computeBlocked, computeCandidate, countUnmet, laterDeferral, parentsOf } from './state.js';
import { BLOCKING_TYPES, isDone, Structure, type Deferral, type NodeState } from './structure.js';
import { instantToMs, parseInstant } from './time.js';

export interface BuiltGraph {
  structure: Structure;
  cycles: CycleComponent[];
}

/** Builds the structure and every cached per-task value; all walks are iterative. */
export function buildStructure(tasks: Iterable<Task>, skipTypes: ReadonlySet<string>): BuiltGraph {
  const structure = new Structure();
  // A repeated id keeps the last line, as a later edit in an append-only log would.
  const byId = new Map<string, Task>();
  for (const task of tasks) byId.set(task.id, task);
  for (const task of byId.values()) structure.addNode(initialState(task));

  // A tombstone's own edges are kept (it may be restored) but every rule skips them.
  for (const task of byId.values()) {
    for (const dep of task.dependencies) {
      // The edge belongs to the task that lists it, whatever its `issue_id` says.
      if (byId.has(dep.dependsOnId)) structure.addEdge(task.id, dep.dependsOnId, dep);
      else structure.addMissing(task.id, dep);
    }
  }

  for (const state of structure.states.values()) {
    const cls = childClass(state.task.status);
    for (const parent of parentsOf(structure, state.id)) addChild(structure.state(parent)!, cls, 1);
  }

  // A deleted task's dependencies must not close a cycle.
  const live = (id: string): boolean => structure.state(id)!.task.status !== 'tombstone';
  const cycles = findCycleComponents(structure.states.keys(), (id) => (live(id) ? structure.targets(id, BLOCKING_TYPES) : []));
  cycles.forEach((component, index) => {
    for (const id of component.members) structure.state(id)!.cycle = index;
  });

  inheritDeferrals(structure);
  for (const state of structure.states.values()) state.unmet = countUnmet(structure, state.id);
  settleBlocked(structure);
  for (const state of structure.states.values()) structure.setCandidate(state, computeCandidate(state, skipTypes));
  computeDepths(structure);
  return { structure, cycles };
}

function initialState(task: Task): NodeState {
  const created = task.createdAt === undefined ? undefined : parseInstant(task.createdAt);
  const defer = task.deferUntil === undefined ? undefined : parseInstant(task.deferUntil);
  const deferSelf: Deferral | undefined =
    defer && task.deferUntil !== undefined ? { ms: instantToMs(defer), until: task.deferUntil, from: task.id } : undefined;
  return {
    id: task.id,
    task,
    createdAt: created,
    deferSelf,
    deferInherited: undefined,
    cycle: -1,
    unmet: 0,
    blockedParents: 0,
    blocked: false,
    openChildren: 0,
    closedChildren: 0,
    depth: 0,
    candidate: false,
  };
}

/** Each task's latest deferral among its ancestors; a tombstone passes nothing down. */
function inheritDeferrals(structure: Structure): void {
  const live = (id: string): boolean => structure.state(id)!.task.status !== 'tombstone';
  const upward = foldGraph(
    structure.states.keys(),
    (id) => (live(id) ? parentsOf(structure, id).filter(live) : []),
    (id) => (live(id) ? structure.state(id)!.deferSelf : undefined),
    (acc, _id, parent) => laterDeferral(acc, parent),
  );
  for (const state of structure.states.values()) {
    let inherited: Deferral | undefined;
    for (const parent of parentsOf(structure, state.id)) {
      if (live(parent)) inherited = laterDeferral(inherited, upward.get(parent));
    }
    state.deferInherited = inherited;
  }
}

/** `blocked` from the top of each parent-child tree down, then the blocked-parent counts. */
function settleBlocked(structure: Structure): void {
  const blocked = foldGraph(
    structure.states.keys(),
    (id) => parentsOf(structure, id),
    (id) => computeBlocked(structure.state(id)!),
    (acc, id, parentBlocked) => acc || (parentBlocked && !isDone(structure.state(id)!.task.status)),
  );
  for (const [id, value] of blocked) structure.state(id)!.blocked = value;
  for (const state of structure.states.values()) {
    state.blockedParents = parentsOf(structure, state.id).filter((p) => structure.state(p)!.blocked).length;
  }
}
