// A typing storm against the activated extension and the real engine: edits at a fixed rate,
// each followed by an inline completion request that cancels the one before it, as the editor
// does on every keystroke. The panel is open, so its routing requests run as well. Measures how
// many requests are in flight per document, how many stale ones were dropped, and memory.

import type { ActivatedExtension } from '../support/extensionHarness';
import { CancellationSource } from '../support/extensionHarness';
import { FakeTextDocument, Uri } from '../support/fakeVscode';
import { Random } from '../support/random';
import { probeWorkerMemory, workerTraffic } from '../support/workerTap';

export interface StormOptions {
  editsPerSecond: number;
  durationMs: number;
  seed: number;
}

export interface StormFigures {
  editsPerSecondTarget: number;
  edits: number;
  /** Edits per second reached, from the first to the last edit. */
  editsPerSecondReached: number;
  durationMs: number;
  /** Provider calls that ended with a shown completion, nothing to show, a dropped stale request, or an error. */
  providerShown: number;
  providerNothingShown: number;
  providerDropped: number;
  providerFailed: number;
  /** Most provider requests in flight for the document at once. */
  maxProviderInFlight: number;
  /** Requests sent to the worker, per document key prefix (completion, panel, detection). */
  requestsSentToWorker: number;
  /** Most requests of one document that the engine client held at once: sent, and neither cancelled nor replied to. */
  maxClientInFlightPerDocument: number;
  /** Most requests of one document the worker had received and not yet replied to. */
  maxWorkerQueuePerDocument: number;
  /** Worker replies with the code `cancelled` or `superseded`: stale requests it stopped or skipped. */
  staleDroppedByWorker: number;
  /** Cancel messages the client sent for superseded or aborted requests. */
  cancelsSent: number;
  workerResults: number;
  workerErrorsOtherThanCancelled: number;
  /** The worker thread's own V8 heap and its buffers (heapTotal + external), sampled every 250 ms. */
  workerMemoryBaselineMb: number;
  workerMemoryPeakMb: number;
  workerMemoryEndMb: number;
  workerMemoryFirstThirdMeanMb: number;
  workerMemoryLastThirdMeanMb: number;
  /**
   * Memory still in use after a garbage collection, before the storm and after it settled, when
   * the run has --expose-gc (`npm run stress` has): the worker's heap and buffers, and the main
   * thread's (the extension, the fake editor and this test's records).
   */
  retainedAfterGc?: { workerBeforeMb: number; workerAfterMb: number; mainBeforeMb: number; mainAfterMb: number };
  /** The main thread's V8 heap and buffers (the extension, the fake editor and this test's records), first and last third. */
  mainMemoryFirstThirdMeanMb: number;
  mainMemoryLastThirdMeanMb: number;
  /** The whole process: worker, onnxruntime, main thread, the fake editor and this test's records. */
  rssBaselineMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  /** Mean RSS over the first and the last third of the storm, to show whether memory keeps growing. */
  rssFirstThirdMeanMb: number;
  rssLastThirdMeanMb: number;
  /** Time from the last edit until the last request settled and the engine was idle again. */
  settleMs: number;
  engineStatusAfter: string;
  /** How the request after the last edit ended, which nothing cancelled. */
  lastRequestOutcome: string;
  providerErrorsLogged: string[];
}

const TYPED_TEXT =
  'The Tenant shall pay the rent on the first day of each month. The Landlord shall keep the premises in good repair.\n' +
  'def read_config(path):\n    with open(path) as handle:\n        return json.load(handle)\n';

const MB = 1024 * 1024;

/** Collects garbage in both threads and returns their heapUsed plus external memory in MB, or undefined without --expose-gc. */
async function retainedMemory(): Promise<{ worker: number; main: number } | undefined> {
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  if (collectGarbage === undefined) return undefined;
  const worker = await probeWorkerMemory({ collect: true, timeoutMs: 10_000 });
  collectGarbage();
  const main = process.memoryUsage();
  if (worker === undefined) return undefined;
  return { worker: (worker.heapUsed + worker.external) / MB, main: (main.heapUsed + main.external) / MB };
}

/** Reads the worker's heapTotal plus external memory, in MB; undefined when it does not reply in time. */
async function workerMemoryMb(): Promise<number | undefined> {
  const usage = await probeWorkerMemory();
  return usage === undefined ? undefined : (usage.heapTotal + usage.external) / MB;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function runTypingStorm(extension: ActivatedExtension, options: StormOptions): Promise<StormFigures> {
  await extension.waitForEngine(['ready']);
  await extension.panel();
  const random = new Random(options.seed);
  const document = new FakeTextDocument('', 'plaintext', Uri.file(`/work/storm-${options.seed}-${Date.now()}.txt`));
  const editor = extension.host.showDocument(document, 0);
  const provider = extension.provider();
  const trafficStart = workerTraffic.length;
  const errorsBefore = extension.log.at('error').length;

  const retainedBefore = await retainedMemory();
  const rss: Array<{ at: number; mb: number }> = [];
  const rssBaselineMb = process.memoryUsage().rss / MB;
  const mainMemory: Array<{ at: number; mb: number }> = [];
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    rss.push({ at: Date.now(), mb: usage.rss / MB });
    mainMemory.push({ at: Date.now(), mb: (usage.heapTotal + usage.external) / MB });
  }, 50);
  const workerMemory: Array<{ at: number; mb: number }> = [];
  const workerMemoryBaselineMb = await workerMemoryMb();
  const workerSampler = setInterval(() => {
    void workerMemoryMb().then((mb) => {
      if (mb !== undefined) workerMemory.push({ at: Date.now(), mb });
    });
  }, 250);

  const outcomes = { shown: 0, nothing: 0, dropped: 0, failed: 0 };
  let maxProviderInFlight = 0;
  const pending = new Set<Promise<void>>();
  let previous: CancellationSource | undefined;
  let typed = 0;
  let edits = 0;

  const interval = 1000 / options.editsPerSecond;
  const started = Date.now();
  let firstEditAt = 0;
  let lastEditAt = 0;
  while (Date.now() - started < options.durationMs) {
    const due = started + edits * interval;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    maxProviderInFlight = Math.max(maxProviderInFlight, provider.requestsInFlight);
    // The editor cancels the request of the previous keystroke before it requests again.
    previous?.cancel();
    const text = document.getText();
    if (text.length > 0 && random.chance(0.08)) {
      extension.host.edit(editor, text.length - 1, text.length, '');
    } else {
      const character = TYPED_TEXT[typed % TYPED_TEXT.length];
      typed += 1;
      extension.host.edit(editor, text.length, text.length, character);
    }
    edits += 1;
    lastEditAt = Date.now();
    if (firstEditAt === 0) firstEditAt = lastEditAt;

    const source = new CancellationSource();
    previous = source;
    const before = (await extension.state()).lastOutcome?.requestNumber ?? 0;
    const request = extension
      .complete(editor, { explicit: false, token: source })
      .then(async (items) => {
        const outcome = (await extension.state()).lastOutcome;
        if (items !== undefined && items.length > 0) outcomes.shown += 1;
        else if (outcome !== undefined && outcome.requestNumber > before && outcome.discardReason?.startsWith('the request failed')) outcomes.failed += 1;
        else if (source.token.isCancellationRequested) outcomes.dropped += 1;
        else outcomes.nothing += 1;
      })
      .catch(() => {
        outcomes.failed += 1;
      });
    pending.add(request);
    void request.finally(() => pending.delete(request));
  }

  // Typing stops: the last request is not cancelled and must end with a result.
  const lastRequestNumber = (await extension.state()).lastOutcome?.requestNumber ?? 0;
  await Promise.all(pending);
  const lastOutcome = (await extension.state()).lastOutcome;
  await extension.waitForEngine(['ready'], 60_000);
  const settleMs = Date.now() - lastEditAt;
  clearInterval(sampler);
  clearInterval(workerSampler);

  const retainedAfter = await retainedMemory();
  const traffic = workerTraffic.slice(trafficStart);
  const queue = measureInFlight(traffic);
  const third = (lastEditAt - firstEditAt) / 3;
  const samples = rss.filter((sample) => sample.at <= lastEditAt);
  const workerSamples = workerMemory.filter((sample) => sample.at <= lastEditAt);
  const firstThird = (list: Array<{ at: number; mb: number }>) => mean(list.filter((sample) => sample.at < firstEditAt + third).map((sample) => sample.mb));
  const lastThird = (list: Array<{ at: number; mb: number }>) => mean(list.filter((sample) => sample.at >= lastEditAt - third).map((sample) => sample.mb));

  return {
    editsPerSecondTarget: options.editsPerSecond,
    edits,
    editsPerSecondReached: edits / Math.max(0.001, (lastEditAt - firstEditAt) / 1000),
    durationMs: lastEditAt - firstEditAt,
    providerShown: outcomes.shown,
    providerNothingShown: outcomes.nothing,
    providerDropped: outcomes.dropped,
    providerFailed: outcomes.failed,
    maxProviderInFlight,
    requestsSentToWorker: traffic.filter((entry) => entry.direction === 'request').length,
    maxClientInFlightPerDocument: queue.maxClientInFlight,
    maxWorkerQueuePerDocument: queue.maxWorkerQueue,
    staleDroppedByWorker: traffic.filter((entry) => entry.direction === 'error' && (entry.code === 'cancelled' || entry.code === 'superseded')).length,
    cancelsSent: traffic.filter((entry) => entry.direction === 'cancel').length,
    workerResults: traffic.filter((entry) => entry.direction === 'result').length,
    workerErrorsOtherThanCancelled: traffic.filter((entry) => entry.direction === 'error' && entry.code !== 'cancelled' && entry.code !== 'superseded').length,
    workerMemoryBaselineMb: workerMemoryBaselineMb ?? 0,
    workerMemoryPeakMb: Math.max(workerMemoryBaselineMb ?? 0, ...workerMemory.map((sample) => sample.mb)),
    workerMemoryEndMb: (await workerMemoryMb()) ?? 0,
    workerMemoryFirstThirdMeanMb: firstThird(workerSamples),
    workerMemoryLastThirdMeanMb: lastThird(workerSamples),
    retainedAfterGc:
      retainedBefore === undefined || retainedAfter === undefined
        ? undefined
        : { workerBeforeMb: retainedBefore.worker, workerAfterMb: retainedAfter.worker, mainBeforeMb: retainedBefore.main, mainAfterMb: retainedAfter.main },
    mainMemoryFirstThirdMeanMb: firstThird(mainMemory.filter((sample) => sample.at <= lastEditAt)),
    mainMemoryLastThirdMeanMb: lastThird(mainMemory.filter((sample) => sample.at <= lastEditAt)),
    rssBaselineMb,
    rssPeakMb: Math.max(rssBaselineMb, ...rss.map((sample) => sample.mb)),
    rssEndMb: process.memoryUsage().rss / MB,
    rssFirstThirdMeanMb: firstThird(samples),
    rssLastThirdMeanMb: lastThird(samples),
    settleMs,
    engineStatusAfter: (await extension.state()).engine.status,
    lastRequestOutcome:
      lastOutcome === undefined || lastOutcome.requestNumber < lastRequestNumber
        ? 'no outcome'
        : lastOutcome.shown !== undefined
          ? `shown ${JSON.stringify(lastOutcome.shown)}`
          : `discarded: ${lastOutcome.discardReason}`,
    providerErrorsLogged: extension.log.at('error').slice(errorsBefore),
  };
}

/**
 * Replays the traffic per document key. A request is in flight at the client from its post
 * until the client cancels it or the worker replies. It is queued at the worker until the
 * worker replies.
 */
function measureInFlight(traffic: ReturnType<typeof workerTraffic.slice>): { maxClientInFlight: number; maxWorkerQueue: number } {
  const documentOf = new Map<number, string>();
  const clientLive = new Map<string, Set<number>>();
  const workerLive = new Map<string, Set<number>>();
  let maxClientInFlight = 0;
  let maxWorkerQueue = 0;

  const set = (map: Map<string, Set<number>>, key: string) => map.get(key) ?? map.set(key, new Set()).get(key) as Set<number>;
  for (const entry of traffic) {
    if (entry.direction === 'request' && entry.documentKey !== undefined) {
      documentOf.set(entry.id, entry.documentKey);
      set(clientLive, entry.documentKey).add(entry.id);
      set(workerLive, entry.documentKey).add(entry.id);
      maxClientInFlight = Math.max(maxClientInFlight, set(clientLive, entry.documentKey).size);
      maxWorkerQueue = Math.max(maxWorkerQueue, set(workerLive, entry.documentKey).size);
      continue;
    }
    const key = documentOf.get(entry.id);
    if (key === undefined) continue;
    set(clientLive, key).delete(entry.id);
    if (entry.direction !== 'cancel') set(workerLive, key).delete(entry.id);
  }
  return { maxClientInFlight, maxWorkerQueue };
}
