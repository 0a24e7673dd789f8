import { bdBackendScenario } from './bd-backend.js';
import type { Scenario } from './context.js';
import { dashboardScenario } from './dashboard.js';
import { deepChainScenario } from './deep-chain.js';
import { dispatchScenario } from './dispatch.js';
import { distributedScenario } from './distributed.js';
import { idleScenario } from './idle.js';
import { loadScenario } from './load.js';
import { memoryScenario } from './memory.js';
import { outputScenario } from './output.js';
import { schedulerGraphScenario } from './scheduler-graph.js';
import { startupScenario } from './startup.js';
import { writeBackScenario } from './write-back.js';

/** Every scenario by the name picked on the command line, in the order the suite runs them. */
export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map([
  ['load', loadScenario],
  ['memory', memoryScenario],
  ['scheduler-graph', schedulerGraphScenario],
  ['dispatch', dispatchScenario],
  ['deep-chain', deepChainScenario],
  ['output', outputScenario],
  ['startup', startupScenario],
  ['idle', idleScenario],
  ['dashboard', dashboardScenario],
  ['bd-backend', bdBackendScenario],
  ['distributed', distributedScenario],
  // Last: its timeout stretches to the time the others left (see Plan.suiteBudgetS).
  ['write-back', writeBackScenario],
]);

export type { Scenario, ScenarioContext } from './context.js';
