/**
 * The agent presets chorus knows how to run and read; `custom` is agentCommand/agentArgs, read as a
 * black box. The one list: the settings' schema and fast check, the presets and the readers derive
 * from it (a kind added here fails to compile until each handles it).
 */
export const AGENT_KINDS = ['claude', 'codex', 'gemini', 'aider', 'custom'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** The most agents chorus runs at once (maxAgents, and the dashboard's +). */
export const MAX_AGENTS = 256;

/** What an attempt cost, as the agent reported it (fields it does not report are absent). */
export interface AgentUsage {
  /** claude's `total_cost_usd`; codex reports tokens only. */
  costUsd?: number;
  /**
   * Every input token the model read, cache reads and writes included (codex and gemini report
   * it so; claude's `input_tokens` leaves the cache out, so its reader adds it in).
   */
  inputTokens?: number;
  outputTokens?: number;
  /** Of `inputTokens`, read from the prompt cache (claude `cache_read_input_tokens`, codex `cached_input_tokens`, gemini `cached`). */
  cachedTokens?: number;
  /** Of `inputTokens`, written to the prompt cache (claude `cache_creation_input_tokens`). */
  cacheWriteTokens?: number;
  turns?: number;
  /** claude's `duration_api_ms`. */
  apiMs?: number;
  /** The run's wall time as the agent measured it (claude `duration_ms`, gemini `stats.duration_ms`). */
  durationMs?: number;
}

/** The agent hit its plan's usage limit: nothing more can run on it until `resetsAt`. */
export interface UsageLimit {
  /** Epoch ms of the reset; null when the agent gave none that could be read. */
  resetsAt: number | null;
  /** What the agent said (for people; never parsed when a structured field exists). */
  text: string;
  /** Where the limit was read from: `rate_limit_event`, `synthetic rate_limit message`, `result 429`, `codex error`, `gemini quota`, ... */
  source: string;
}

/**
 * The agent itself cannot work here, whatever the task: not logged in or no credentials, billing,
 * a model it does not know, no network to its API. Every run would fail the same way, so chorus
 * stops starting that agent and puts the task back to open (no retry spent, never blocked); no
 * network pauses the agent as a usage limit with no known reset does, since it may come back.
 */
export interface AgentUnusable {
  cause: 'auth' | 'billing' | 'model' | 'network';
  /** What the agent said, for people (quoted in chorus's message). */
  text: string;
  /** What a person does about it: `run \`claude /login\``. */
  fix: string;
}

/** How each cause reads in chorus's messages. */
export const UNUSABLE_CAUSES: Record<AgentUnusable['cause'], string> = {
  auth: 'not logged in or no credentials',
  billing: 'billing',
  model: 'a model it cannot use',
  network: 'no network to its API',
};

/**
 * What chorus read from one attempt's output stream, beside its exit code. Built line by line as
 * the output arrives (lib/agents/stream-reader.ts); every field is optional.
 */
export interface AgentReport {
  /** To resume the conversation (claude `session_id`, codex `thread_id`, gemini `session_id`). */
  sessionId?: string;
  usage?: AgentUsage;
  /** Set when the attempt ended on a usage limit: the task goes back to open, no retry is spent. */
  limit?: UsageLimit;
  /** A `rate_limit_event` with `allowed_warning`: close to the limit; chorus lowers this agent's concurrency. */
  nearLimit?: boolean;
  /** The agent cannot work here at all (not the task's fault): see AgentUnusable. */
  unusable?: AgentUnusable;
  /** The agent reported failure (claude `is_error`, `error_max_turns`, codex `turn.failed`, gemini exit 53, ...): a named reason, even with exit 0. */
  failure?: string;
  /** Output lines that were not JSON (or JSON of an unknown shape) and were skipped; for the log, not for decisions. */
  skippedLines?: number;
}

/** How the agent's process ended, as `StreamReader.end` receives it. */
export interface AgentExit {
  exitCode: number | null;
  signal: string | null;
}

/** Reads one attempt's output as it arrives. */
export interface StreamReader {
  /** One line of the agent's output (without its newline). Never throws. */
  feed(line: string): void;
  /**
   * Whether what was read so far shows the agent cannot work and will not end by itself (codex
   * waiting for the network prints so for ever): the attempt is ended at once rather than at
   * taskTimeout. Absent: never.
   */
  endNow?(): boolean;
  /** The attempt ended: what was read, with exit-code rules folded in (gemini's 41/42/52/53/54, aider's text). */
  end(exit: { exitCode: number | null; signal: string | null }): AgentReport;
}
