export { TaskGraph, type TaskGraphOptions } from './task-graph.js';
export { describeReason, formatCycle, type BlockReason, type NeverReadyFlag, type Readiness, type WaitsForGate } from './reasons.js';
export { dispatchComparator, sortForDispatch } from './order.js';
export { findCycles, findCycleComponents, stronglyConnected, type CycleComponent } from './cycles.js';
export { compareInstants, instantToMs, parseInstant, type Instant } from './time.js';
export type { UpdateStats } from './update.js';
export { graphJson, renderDot, renderGraph, renderJson, renderText, type GraphFormat, type GraphJson } from './render.js';
export { MARK_SYMBOL, type Mark } from './view.js';
