// Worker faults against the activated extension and the real engine: the worker exits in the
// middle of a generation, or stops responding to messages. Measures how long the extension
// takes to notice and to be ready again, and records what the status bar, the panel and the
// log showed.

import type { EngineRestart, PanelSnapshot, PanelStatus } from '../../../src/panel/protocol';

type LoadingStatus = Extract<PanelStatus, { kind: 'loading' }>;
import type { ActivatedExtension } from '../support/extensionHarness';
import { FakeTextDocument, Uri } from '../support/fakeVscode';
import { crashLatestWorker, freezeLatestWorker, workersStarted } from '../support/workerTap';

export type WorkerFault = 'crash-mid-generation' | 'unresponsive';

export interface FaultFigures {
  fault: WorkerFault;
  /** From the fault to the failed request's rejection and the engine's `restarting` state. */
  detectedMs: number;
  /** From the fault to the engine's `ready` state with a new worker. */
  readyMs: number;
  /** From the fault to the result of the next completion request, of at most 8 tokens. */
  nextCompletionMs: number;
  /** Why the provider dropped the request that was running at the fault. */
  interruptedOutcome: string;
  /** How the next request ended: the shown text, or the reason nothing was shown. */
  nextOutcome: string;
  nextCompletionFailed: boolean;
  statusBarDuring?: { text: string; tooltip: string };
  statusBarAfter: { text: string; tooltip: string };
  panelDuring?: LoadingStatus;
  /** The restart note of the panel's latest snapshot. */
  panelAfter?: EngineRestart;
  logWarnings: string[];
  /** Whether a standby worker, started while the heartbeat was late, took over. */
  standbyUsed: boolean;
  workersStarted: number;
}

const LONG_PREFIX = 'The patient was admitted with chest pain and shortness of breath. On examination, the patient ';

async function waitUntil(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function describeOutcome(outcome: { shown?: string; discardReason?: string } | undefined): string {
  if (outcome === undefined) return 'no outcome';
  return outcome.shown !== undefined ? `shown ${JSON.stringify(outcome.shown)}` : `discarded: ${outcome.discardReason}`;
}

/**
 * Starts a long generation, applies the fault while it runs, then waits for recovery and
 * requests the next completion. The extension must have been activated with worker tapping on and
 * with `completions.maxTokens` high enough that the generation is still running at the fault.
 */
export async function measureWorkerFault(extension: ActivatedExtension, fault: WorkerFault): Promise<FaultFigures> {
  await extension.waitForEngine(['ready']);
  // Resolving the view makes the panel send its snapshots, so they can be checked afterwards.
  await extension.panel();
  const document = new FakeTextDocument(LONG_PREFIX, 'plaintext', Uri.file(`/work/fault-${fault}-${Date.now()}.txt`));
  const editor = extension.host.showDocument(document);
  const warningsBefore = extension.log.at('warn').length;
  const infoBefore = extension.log.at('info').length;
  const statusBefore = extension.statusBar.history.length;

  const interrupted = extension.complete(editor);
  await waitUntil('the generation to start', async () => (await extension.state()).engine.status === 'busy');
  await new Promise((resolve) => setTimeout(resolve, 30));

  const faultAt = Date.now();
  if (fault === 'crash-mid-generation') crashLatestWorker();
  else freezeLatestWorker(30_000);

  await interrupted;
  const interruptedOutcome = describeOutcome((await extension.state()).lastOutcome);
  // The status bar changes in the same turn as the engine state, which a standby worker that
  // has already loaded the model leaves within milliseconds.
  const restartEntry = () => extension.statusBar.history.slice(statusBefore).find((entry) => entry.text.includes('restarting'));
  await waitUntil('the engine to notice the fault', () => restartEntry() !== undefined);
  const detectedMs = (restartEntry()?.at ?? Date.now()) - faultAt;

  await extension.waitForEngine(['ready'], 60_000);
  const readyMs = Date.now() - faultAt;

  // A short completion, so that the figure is the recovery and not a long generation.
  const maxTokens = extension.host.configuration.user.get('expertActivation.completions.maxTokens');
  extension.setSetting('completions.maxTokens', 8);
  await extension.complete(editor);
  const nextCompletionMs = Date.now() - faultAt;
  extension.setSetting('completions.maxTokens', maxTokens);
  const next = (await extension.state()).lastOutcome;

  const during = restartEntry();

  return {
    fault,
    detectedMs,
    readyMs,
    nextCompletionMs,
    interruptedOutcome,
    nextOutcome: describeOutcome(next),
    nextCompletionFailed: next?.discardReason?.startsWith('the request failed') === true,
    statusBarDuring: during === undefined ? undefined : { text: during.text, tooltip: during.tooltip },
    statusBarAfter: { text: extension.statusBar.text, tooltip: extension.statusBar.tooltipText },
    panelDuring: panelStatusDuringRestart(extension),
    panelAfter: latestPanelRestartNote(extension),
    logWarnings: extension.log.at('warn').slice(warningsBefore),
    standbyUsed: extension.log.at('info').slice(infoBefore).some((line) => line.startsWith('Switching to the standby inference worker')),
    workersStarted: workersStarted(),
  };
}

function latestPanelRestartNote(extension: ActivatedExtension): EngineRestart | undefined {
  const snapshots = extension.view()?.posted.map((message) => (message as { snapshot?: PanelSnapshot }).snapshot).filter((snapshot) => snapshot !== undefined);
  const status = snapshots?.at(-1)?.status;
  return status?.kind === 'ready' ? status.lastRestart : undefined;
}

/** Returns the last restart status that the panel sent to its view, if it sent one. */
function panelStatusDuringRestart(extension: ActivatedExtension): LoadingStatus | undefined {
  const view = extension.view();
  if (view === undefined) return undefined;
  for (let i = view.posted.length - 1; i >= 0; i -= 1) {
    const status = (view.posted[i] as { snapshot?: PanelSnapshot }).snapshot?.status;
    if (status?.kind === 'loading' && status.restartReason !== undefined) return status;
  }
  return undefined;
}
