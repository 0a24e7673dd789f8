import { z } from 'zod';
import { AGENT_KINDS, MAX_AGENTS } from '../agents/report.js';
import { makeTaskOverridesSchema } from './task-overrides-schema.js';

/** The settings chorus understands. Defaults are in DEFAULT_SETTINGS (defaults.ts); every key is documented in README.md. */
export const orchestrationSchema = z.strictObject({
  /** Agents running at once, never exceeded. @default 3 */
  maxAgents: z.number().int().min(1).max(MAX_AGENTS),
  /** Start ready tasks by priority without being asked (batch and dashboard). @default true */
  autoAssign: z.boolean(),
  /** Retries after the first attempt, for the failure kinds in `retryOn`. @default 2 */
  retryCount: z.number().int().min(0).max(100),
  /** Per attempt, in milliseconds; 0 means no limit. @default 300000 */
  taskTimeout: z.number().int().min(0),
  /**
   * Which agent: a preset that chorus runs and reads (`claude`, `codex`, `gemini`, `aider`) or
   * `custom` (agentCommand/agentArgs, a black box). @default "claude", or "custom" when agentCommand or agentArgs is set
   */
  agent: z.enum(AGENT_KINDS),
  /** A preset's model (`--model`); empty: the agent's own default. @default "" */
  agentModel: z.string(),
  /** A preset's permission for an unattended run (claude --permission-mode, codex --sandbox, gemini --approval-mode); empty: the preset's default. @default "" */
  agentPermissionMode: z.string(),
  /** Extra arguments appended to a preset's command line. @default [] */
  agentExtraArgs: z.array(z.string()),
  /** An agent with no output at all for this long (ms) is taken as hung: its group is ended, as a timeout. 0 = off. @default 300000 */
  stallTimeout: z.number().int().min(0),
  /** Dispatch pauses once the batch's reported spend (USD) reaches this; 0 = no limit. @default 0 */
  maxBudgetUsd: z.number().min(0),
  /** Where agents work: `shared` (the repository's own checkout) or `worktree` (a git worktree and branch per task, verified and merged one at a time). @default "shared" */
  workspace: z.enum(['shared', 'worktree']),
  /** The branch worktrees start from and merge into; empty: the branch checked out when the batch starts. @default "" */
  baseBranch: z.string(),
  /** Run once in a new worktree, as argv without a shell (e.g. ["npm", "ci"]); its failure blocks the task. @default [] */
  worktreeSetup: z.array(z.string()),
  /** Run after the agent exits 0, as argv without a shell (e.g. ["npm", "test"]): exit 0 lets the task close. @default [] */
  verify: z.array(z.string()),
  /** workspace "worktree": after a failed verify, how many times the agent runs again in its worktree (its session resumed where the preset has one) with verify's output as feedback, before the task is blocked. @default 1 */
  verifyRetries: z.number().int().min(0).max(100),
  /** workspace "worktree", a rebase conflict at merge time: `agent` runs the agent again in its worktree (its session resumed where the preset has one) to rebase onto the base and resolve it; `block` blocks the task at once. @default "agent" */
  onConflict: z.enum(['agent', 'block']),
  /** onConflict "agent": how many conflict rounds a task gets before it is blocked naming the files. @default 1 */
  conflictRetries: z.number().int().min(0).max(100),
  /** workspace "worktree": `auto` merges a verified branch at once; `review` leaves it waiting (status blocked, label chorus:review) for `chorus approve` or `chorus reject`. @default "auto" */
  mergeMode: z.enum(['auto', 'review']),
  /** The agent program, run without a shell. @default "claude" */
  agentCommand: z.string().min(1),
  /** Its arguments; `${TASK_ID}`, `${TASK_TITLE}`, `${TASK_FILE}`, `${PROMPT}`, `${PROMPT_FILE}`, `${FEEDBACK}` are replaced. @default ["-p", "${PROMPT}"] */
  agentArgs: z.array(z.string()),
  /** Extra environment variables for the agent. @default {} */
  agentEnv: z.record(z.string(), z.string()),
  /** Which failures are retried: `crash` (killed by a signal), `exit` (non-zero exit), `timeout`. @default ["crash"] */
  retryOn: z.array(z.enum(['crash', 'exit', 'timeout'])),
  /** First retry delay in ms; doubles per retry, with jitter. @default 1000 */
  backoffMin: z.number().int().min(0),
  /** Longest retry delay in ms. @default 30000 */
  backoffMax: z.number().int().min(0),
  /** Time between SIGTERM and SIGKILL when chorus ends an agent, in ms. @default 5000 */
  killGrace: z.number().int().min(0),
  /** Issue types that are containers or records and never run. */
  skipTypes: z.array(z.string()),
  /** The tracker file, relative to the repository root. @default ".beads/issues.jsonl" */
  issuesFile: z.string().min(1),
  /** Where the tasks live: `auto` (bd when `.beads/` holds a Dolt database and bd is found, else the JSONL file), `jsonl`, `bd`. @default "auto" */
  backend: z.enum(['auto', 'jsonl', 'bd']),
  /** The bd program (a path, or a name on PATH); a compatible CLI may be named. @default "bd" */
  beadsCommand: z.string().min(1),
  /** bd backend: how often others' changes are looked for while a batch runs, in ms. @default 3000 */
  bdPollInterval: z.number().int().min(100),
  /** Where agents run: `local` (the pool on this machine) or `bullmq` (`chorus worker` processes, through BullMQ on Redis). @default "local" */
  executor: z.enum(['local', 'bullmq']),
  /** executor "bullmq": the Redis server (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS); empty: CHORUS_REDIS_URL. @default "" */
  redisUrl: z.string(),
  /** executor "bullmq": the queue's name, the same for the leader and its workers; empty: made from the repository's origin (or its folder's name). @default "" */
  queue: z.string(),
  /** executor "bullmq", workspace "worktree": the git remote task branches are pushed to and the base is fetched from and pushed to. @default "origin" */
  gitRemote: z.string().min(1),
  /**
   * Run (argv, no shell) when a person must act or would want to know: a task blocked, a usage-limit
   * wait, the budget reached, the batch's end; `${EVENT}`, `${TASK_ID}`, `${TITLE}`, `${MESSAGE}` are replaced. [] = off. @default []
   */
  notify: z.array(z.string()),
});

export type Settings = z.output<typeof orchestrationSchema>;

export const configFileSchema = z.strictObject({
  orchestration: orchestrationSchema.partial().optional(),
  $schema: z.string().optional(),
});

export type SettingKey = keyof Settings;

/** Per-task overrides, read from a task's Beads `metadata.chorus` object. */
export const taskOverridesSchema = makeTaskOverridesSchema(z);
export type TaskOverrides = z.output<typeof taskOverridesSchema>;
