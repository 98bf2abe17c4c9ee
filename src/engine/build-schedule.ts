/**
 * Runs the stages of a build plan concurrently, as BuildKit does: a stage starts as soon as
 * every stage it depends on (FROM <stage>, COPY --from, RUN --mount=from) has finished, so
 * independent stages build at the same time. Output goes through OrderedLanes, so the stream
 * reads as a serial build in plan order. The first stage to fail stops the others between steps
 * (a running step finishes and is cleaned up; no new step starts) and its error is thrown.
 */
import type { BuildPlan } from '../build/index.js';
import { EngineError } from '../core/index.js';
import type { JsonMessage } from '../protocol/index.js';
import { OrderedLanes } from './build-output.js';
import type { StageState } from './build-steps.js';

/** What one stage's run gets from the scheduler. */
export interface StageSlot {
  /** The plan index of the stage. */
  readonly index: number;
  /** Results of the stages of the plan by index, for FROM <stage> and COPY --from. */
  readonly tasks: ReadonlyMap<number, Promise<StageState>>;
  /** This stage's lane of the message stream. */
  readonly lane: (m: JsonMessage) => void;
  /** Number of the step before this stage's FROM (steps are numbered as a serial build numbers them). */
  readonly step: number;
  /** Throws when another stage has failed; called between steps. */
  readonly stopped: () => void;
}

/** Thrown by `stopped()`: this stage gave up because another failed (never reported). */
class StageStopped extends EngineError {
  constructor() {
    super('internal', 'build stage stopped: another stage failed');
  }
}

/**
 * Runs `stage` for every stage of `plan.order`, each once its dependencies are done; returns the
 * result of the last one (the target). `firstStep` is the number of steps printed before the
 * first stage (global ARGs).
 */
export async function runStages(
  plan: BuildPlan, emit: (m: JsonMessage) => void,
  o: { firstStep: number; stage: (slot: StageSlot) => Promise<StageState> },
): Promise<StageState | undefined> {
  const lanes = new OrderedLanes<JsonMessage>(plan.order.length, emit);
  const tasks = new Map<number, Promise<StageState>>();
  let failure: { error: unknown } | undefined;
  const stopped = (): void => {
    if (failure) throw new StageStopped();
  };
  let step = o.firstStep;
  for (const [pos, i] of plan.order.entries()) {
    const stage = plan.stages[i]!;
    const deps = stage.dependsOn.flatMap((d) => tasks.get(d) ?? []);
    const slot: StageSlot = { index: i, tasks, lane: lanes.lane(pos), step, stopped };
    step += 1 + stage.instructions.length;
    const task = (async () => {
      try {
        await Promise.all(deps);
        stopped();
        return await o.stage(slot);
      } catch (error) {
        if (!(error instanceof StageStopped)) failure ??= { error }; // a failed dependency has set it already
        throw error;
      } finally {
        lanes.finish(pos);
      }
    })();
    task.catch(() => undefined); // observed through allSettled below
    tasks.set(i, task);
  }
  const settled = await Promise.allSettled(tasks.values());
  if (failure) throw failure.error;
  const bad = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  const last = plan.order.at(-1);
  return last === undefined ? undefined : tasks.get(last);
}
