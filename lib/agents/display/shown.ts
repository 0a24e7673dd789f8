/**
 * A piece of a reply the agent streams in parts (gemini's `delta` messages): joined to the pieces
 * before and after it, not a line of its own.
 */
export interface Piece {
  piece: string;
}

/** What one event of an agent's output shows a person: a line (a reply of several paragraphs holds line breaks), or a piece of one. */
export type Shown = string | Piece;

export interface DisplayOptions {
  /** Folders a file path is shown relative to, the first that holds it (the task's worktree, then the repository). @default [] */
  roots?: readonly string[];
  /** The clock a reset time is shown against (its date only when it is not today). @default Date.now */
  now?: () => number;
}
