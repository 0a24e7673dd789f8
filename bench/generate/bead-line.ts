import { pick } from './random.js';

export interface Edge {
  on: number;
  type: 'blocks' | 'parent-child' | 'related';
}

export interface BeadSpec {
  index: number;
  status: 'open' | 'closed' | 'in_progress';
  issueType: 'task' | 'bug' | 'feature' | 'epic' | 'chore';
  priority: number;
  edges: Edge[];
}

const WORDS = [
  'parser', 'scheduler', 'cache', 'login', 'retry', 'export', 'graph', 'timeout', 'index', 'logger',
  'config', 'worker', 'queue', 'render', 'search', 'token', 'upload', 'session', 'metrics', 'router',
];
const VERBS = ['Fix', 'Add', 'Refactor', 'Speed up', 'Document', 'Test', 'Remove', 'Rename'];
const BASE_TIME = Date.UTC(2026, 0, 5, 9, 0, 0);

export function beadId(prefix: string, index: number): string {
  return `${prefix}-${index.toString(36)}`;
}

function isoAt(minutes: number): string {
  return new Date(BASE_TIME + minutes * 60_000).toISOString();
}

/**
 * One JSONL line shaped like a real Beads export: the same keys in the same order as `bd`
 * writes them, a description of a few hundred bytes, timestamps, labels and dependency
 * records with their own metadata, so parse and write costs are those of a real tracker.
 */
export function beadLine(prefix: string, spec: BeadSpec, random: () => number): string {
  const id = beadId(prefix, spec.index);
  const a = WORDS[pick(random, WORDS.length)]!;
  const b = WORDS[pick(random, WORDS.length)]!;
  const verb = VERBS[pick(random, VERBS.length)]!;
  const created = isoAt(spec.index);
  const sentences = 1 + pick(random, 3);
  const description = Array.from(
    { length: sentences },
    (_, i) => `Step ${i + 1}: the ${a} talks to the ${b} through a \"${verb.toLowerCase()}\" path; check its edge cases and update the tests.`,
  ).join('\n');
  const bead: Record<string, unknown> = {
    id,
    title: `${verb} ${a} ${b} (${spec.index})`,
    description,
    status: spec.status,
    priority: spec.priority,
    issue_type: spec.issueType,
    created_at: created,
    created_by: 'bench',
    updated_at: created,
  };
  if (spec.status === 'closed') {
    bead['closed_at'] = isoAt(spec.index + 30);
    bead['close_reason'] = 'Done';
  }
  if (spec.status === 'in_progress') bead['assignee'] = 'someone';
  bead['labels'] = [a, b === a ? 'misc' : b];
  if (spec.edges.length) {
    bead['dependencies'] = spec.edges.map((edge) => ({
      issue_id: id,
      depends_on_id: beadId(prefix, edge.on),
      type: edge.type,
      created_at: created,
      created_by: 'bench',
      metadata: '{}',
    }));
  }
  return JSON.stringify(bead);
}
