import { formatCount, toMb } from '../format.js';
import { DEFAULT_SHAPE_OPTIONS } from '../generate/shapes.js';
import { STOP_GRACE_S } from '../measure/gnu-time.js';
import { judgeRow, ratioTarget, type Row } from '../row.js';
import { makeScratchDir, makeTracker } from '../scratch-repo.js';
import { NO_OP_AGENT, type ScenarioContext } from './context.js';
import { runBatch } from './run-batch.js';

/**
 * Bytes chorus writes to the tracker over a batch, as it reports them itself, against the
 * file's size. Rewriting the whole file on every status change costs (tasks × 2 or 3) file
 * sizes; grouping changes made close together is what keeps it to a small multiple.
 */
export async function writeBackScenario(context: ScenarioContext): Promise<Row[]> {
  const { writeBack } = context.plan;
  const scratch = await makeScratchDir('write-back');
  try {
    const options = { ...DEFAULT_SHAPE_OPTIONS, tasks: writeBack.lines, closedShare: writeBack.closedShare };
    const tracker = await makeTracker(scratch, 'random', 'random', options);
    const open = writeBack.lines - Math.floor(writeBack.lines * writeBack.closedShare);
    const label = `${formatCount(open)} tasks run on a ${formatCount(writeBack.lines)}-line file`;
    context.log(`write-back: ${label}`);
    const sample = await runBatch(context, scratch, {
      round: 0,
      tracker: tracker.file,
      tasks: writeBack.lines,
      open,
      settings: { maxAgents: writeBack.maxAgents, ...NO_OP_AGENT },
      // Last in the suite: it may use whatever time the others left (less the time a stop may take).
      timeoutS: Math.max(writeBack.timeoutS, Math.floor(context.secondsLeft() - STOP_GRACE_S)),
    });
    const bytesWritten = sample.facts['bytesWritten'];
    const writes = sample.facts['writes'];
    const reported = typeof bytesWritten === 'number';
    // Stopped at its timeout, chorus still reports what it wrote so far: a lower bound for the batch.
    const stopped = !sample.ok && sample.timedOut && reported;
    const note = stopped
      ? `stopped at its ${sample.timeoutS} s timeout with ${formatCount(Number(sample.facts['closed']))} of ${formatCount(open)} tasks closed and ${formatCount(Number(writes))} writes; the whole batch writes at least this`
      : sample.ok
        ? `${reported ? `${formatCount(Number(writes))} writes; ` : ''}batch took ${sample.wallS.toFixed(1)} s`
        : undefined;
    return [judgeRow({
      scenario: 'write-back',
      case: label,
      measure: 'MB written (chorus\'s count) vs file size, 1 run',
      unit: 'MB',
      chorus: reported ? toMb(bytesWritten) : null,
      atLeast: stopped,
      baseline: toMb(tracker.bytes),
      target: ratioTarget(5),
      error: sample.ok || stopped ? undefined : `chorus run: ${sample.error}`,
      // No figure is not a pass: chorus must report what it wrote.
      fail: !sample.ok || reported ? undefined : 'n/a: batch.finished has no tracker {writes, bytesWritten}',
      note,
      runs: { chorus: [sample], baseline: [] },
      details: { fileBytes: tracker.bytes, bytesWritten: bytesWritten ?? null, writes: writes ?? null },
    })];
  } finally {
    await scratch.remove();
  }
}
