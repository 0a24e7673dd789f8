import type { StoreStats } from '../tracker/store-events.js';
import type { BdCommand, BdOutput } from './bd-command.js';
import { BdCallError, firstLines } from './bd-error.js';
import type { BdCallQueue, ClaimOp, Op, WriteOp } from './bd-queue.js';
import type { BdView } from './bd-view.js';

/**
 * The bd calls for a batch of claims or writes the queue took together (several ids in one
 * call), and how each op in it is settled from bd's reply: what bd printed is taken into the view,
 * an id bd refused is answered with what bd said of it.
 */
export class BdBatchCalls {
  constructor(
    private readonly command: BdCommand,
    private readonly stats: StoreStats,
    private readonly view: BdView,
    private readonly queue: BdCallQueue,
  ) {}

  async runClaims(batch: ClaimOp[]): Promise<void> {
    const ids = batch.map((op) => op.id);
    let out: BdOutput;
    try {
      out = await this.command.run(['update', ...ids, '--claim', '--json'], [1]);
    } catch (error) {
      for (const op of batch) op.done.reject(error);
      return;
    }
    const claimed = this.view.takeReply(out);
    for (const op of batch) {
      const task = claimed.get(op.id);
      if (task) {
        this.stats.writes += 1;
        op.done.resolve({ ok: true, task });
        continue;
      }
      const said = lineAbout(out.stderr, op.id);
      const refused = said?.match(/already claimed by (.+)$|not claimable: (.+)$/);
      if (refused) op.done.resolve({ ok: false, reason: refused[1] !== undefined ? `claimed by ${refused[1].trim()} in bd` : `bd says it is not claimable (${refused[2]!.trim()})` });
      else op.done.reject(new BdCallError(this.command.options.command, ['update', op.id, '--claim', '--json'], out.exitCode, said ?? out.stderr, 'bd did not claim it and did not say why'));
    }
  }

  async runWrites(batch: WriteOp[]): Promise<void> {
    const first = batch[0]!;
    const ids = batch.map((op) => op.id);
    const args =
      first.kind === 'close'
        ? ['close', ...ids, ...batch.flatMap((op) => ['-r', (op as { reason: string }).reason]), '--json']
        : ['update', ...ids, ...first.flags, '--json'];
    let out: BdOutput;
    try {
      out = await this.command.run(args, [1]);
    } catch (error) {
      // Several ids in one call: an unknown id fails them all before anything is written; go one by one.
      if (batch.length > 1 && error instanceof BdCallError && error.exitCode !== null) return this.oneByOne(batch);
      for (const op of batch) this.answer(op, error);
      return;
    }
    const written = this.view.takeReply(out);
    if (written.size === 0 && batch.length > 1 && out.exitCode !== 0 && !batch.some((op) => lineAbout(out.stderr, op.id))) return this.oneByOne(batch);
    for (const op of batch) {
      if (written.has(op.id)) {
        this.stats.writes += 1;
        this.answer(op, null);
      } else {
        const said = lineAbout(out.stderr, op.id) ?? (firstLines(out.stderr) || `bd did not ${op.kind} it`);
        this.answer(op, new BdCallError(this.command.options.command, args, out.exitCode, said));
      }
    }
  }

  private async oneByOne(batch: WriteOp[]): Promise<void> {
    for (const op of batch) await this.runWrites([op]);
  }

  /** Settles a write; a failed one puts the task back as bd last showed it (with later writes on top). */
  private answer(op: WriteOp, error: unknown): void {
    this.view.settle(op);
    if (error === null) {
      op.done.resolve();
      return;
    }
    // A close bd did not make leaves chorus's claim on the task: the assignee meant to follow it is not put back.
    if (op.kind === 'close') this.dropAfterClose(op.id);
    this.view.restore(op.id);
    op.done.reject(error);
  }

  private dropAfterClose(id: string): void {
    const follows = (op: Op) => op.kind === 'update' && op.id === id && op.afterClose === true;
    const dropped = this.queue.remove(follows) as Extract<Op, { kind: 'update' }>[];
    if (dropped.length === 0) return;
    this.view.forget(id, dropped);
    for (const op of dropped) op.done.resolve();
  }
}

/** The stderr line that names `id` (bd reports each refused id on a line of its own). */
function lineAbout(stderr: string, id: string): string | undefined {
  for (const line of stderr.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.includes(` ${id}:`) || trimmed.includes(` ${id} `) || trimmed.endsWith(` ${id}`)) return trimmed.replace(/^Error:\s*/, '');
  }
  return undefined;
}
