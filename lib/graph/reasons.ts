/** Why a task is not ready. Each variant names the task or value a person would look at. */
export type BlockReason =
  /** Only `open` tasks run; `tombstone` (deleted) lands here too. */
  | { kind: 'status'; status: string }
  /** `defer_until` in the future, on the task itself or (`via`) on an ancestor through parent-child. */
  | { kind: 'deferred'; until: string; via?: string }
  /** A container or system type (epic, molecule, ...) that never runs. */
  | { kind: 'type'; issueType: string }
  /** Flagged `pinned: true` or `ephemeral: true` (a wisp): `bd ready` never hands it out, so chorus never runs it. */
  | { kind: 'flagged'; flag: NeverReadyFlag }
  /** A `blocks` / `conditional-blocks` target that is not closed, pinned or tombstone. */
  | { kind: 'blocked-by'; id: string; status: string; depType: string; missing?: true }
  /** A `waits-for` target with children that are not done yet. */
  | { kind: 'waits-for'; id: string; openChildren: string[]; gate: WaitsForGate }
  /** A parent (through parent-child) that is itself blocked, transitively. */
  | { kind: 'parent-blocked'; parent: string }
  /** The task sits on a cycle of blocking dependencies; `cycle` starts and ends on the same id. */
  | { kind: 'cycle'; cycle: readonly string[] };

/** The boolean task fields that keep a task from ever being ready, whatever its status. */
export type NeverReadyFlag = 'pinned' | 'ephemeral';

/** `all-children` (Beads' default): every child closed or pinned. `any-children`: one closed child is enough. */
export type WaitsForGate = 'all-children' | 'any-children';

export type Readiness = { ready: true } | { ready: false; reasons: BlockReason[] };

/** Past this many ids a cycle is shown with its middle elided, so one reason stays one line. */
const CYCLE_SHOWN = 40;
const CHILDREN_SHOWN = 5;

export function describeReason(reason: BlockReason): string {
  switch (reason.kind) {
    case 'status':
      return reason.status === 'tombstone' ? 'deleted (tombstone)' : `status is ${reason.status}, not open`;
    case 'deferred':
      return reason.via === undefined
        ? `deferred until ${reason.until}`
        : `deferred until ${reason.until} through ancestor ${reason.via}`;
    case 'type':
      return `type ${reason.issueType} never runs`;
    case 'flagged':
      return reason.flag === 'ephemeral'
        ? 'ephemeral (a wisp): Beads never hands it out'
        : 'pinned (a context marker, not work): Beads never hands it out';
    case 'blocked-by': {
      if (reason.missing) return `blocker ${reason.id} is missing from the tracker`;
      const via = reason.depType === 'blocks' ? '' : `, ${reason.depType}`;
      return `waits on ${reason.id} (${reason.status}${via})`;
    }
    case 'waits-for': {
      const shown = reason.openChildren.slice(0, CHILDREN_SHOWN).join(', ');
      const more = reason.openChildren.length > CHILDREN_SHOWN ? `, +${reason.openChildren.length - CHILDREN_SHOWN} more` : '';
      const what = reason.gate === 'any-children' ? `any child of ${reason.id} to close` : `the children of ${reason.id}`;
      return `waits for ${what} (not done: ${shown}${more})`;
    }
    case 'parent-blocked':
      return `parent ${reason.parent} is blocked`;
    case 'cycle':
      return `on a dependency cycle: ${formatCycle(reason.cycle)}`;
  }
}

/** `a -> b -> c -> a`, with the middle elided for very long cycles. */
export function formatCycle(cycle: readonly string[]): string {
  if (cycle.length <= CYCLE_SHOWN) return cycle.join(' -> ');
  const head = cycle.slice(0, CYCLE_SHOWN / 2);
  const tail = cycle.slice(-CYCLE_SHOWN / 4);
  const hidden = cycle.length - head.length - tail.length;
  return [...head, `... (${hidden} more)`, ...tail].join(' -> ');
}
