import type { Clock } from '../time/clock.js';
import type { AgentQuota } from './agent-quota.js';
import type { EngineEvent } from './events.js';
import type { RunTally } from './run-tally.js';
import type { Spend } from './spend.js';
import type { EngineDeps, Running, StopReason } from './types.js';
import type { UnusableAgents } from './unusable-agents.js';

/**
 * What the engine's collaborators (dispatch, settling, tracker sync) share for one run: its
 * dependencies, the tasks it holds, what it has done, and the few calls that go back through the
 * engine's lifecycle. Made by Engine; nothing else writes `stopReason` but `halt`.
 */
export interface RunContext {
  readonly deps: EngineDeps;
  readonly clock: Clock;
  /** Tasks claimed and not yet settled: the slots taken. */
  readonly running: Map<string, Running>;
  readonly tally: RunTally;
  readonly spend: Spend;
  readonly quota: AgentQuota;
  readonly unusable: UnusableAgents;
  /** `chorus run ID...`: only these tasks; null: everything ready, and what becomes ready. */
  only: Set<string> | null;
  /** Tasks whose next start is a round with feedback (`chorus reject`), each used once. */
  rounds: Map<string, { feedback: string; sessionId?: string; label: string }>;
  /** Set once, by halt(): why nothing more starts. */
  readonly stopReason: StopReason | null;
  /** Results still being written (they wait for the tracker to be read first, or for bd). */
  finishing: number;
  emit(event: EngineEvent): void;
  /** Start what the free slots allow. */
  pump(): void;
  /** Ends run() once nothing runs, settles or waits. */
  checkSettled(): void;
  /** Nothing more starts, for `reason` (the first reason stands). */
  halt(reason: StopReason): void;
  /** A path as people see it: relative to the repository. */
  relative(file: string): string;
}
