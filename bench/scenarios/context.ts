import type { Plan } from '../plan.js';
import type { RepoPaths } from '../paths.js';
import type { Row } from '../row.js';

export interface ScenarioContext {
  plan: Plan;
  paths: RepoPaths;
  /** Seconds left of the plan's suite budget (never below 0). */
  secondsLeft: () => number;
  /** Progress for the person waiting (stderr); not part of the results. */
  log: (line: string) => void;
}

export type Scenario = (context: ScenarioContext) => Promise<Row[]>;

/** The chorus settings every no-op scenario uses. */
export const NO_OP_AGENT = { agentCommand: 'true', agentArgs: [] as string[] };
