// The Active Experts panel under malformed messages, both ways. The webview script is
// media/panel.ts, loaded whole into a happy-dom window. It must drop every host message that
// does not match the protocol, report it and leave the page as it was. It must also show
// strings from the model as text, never as markup. The host, ActiveExpertsViewProvider under
// the fake `vscode` module, must drop and log every malformed webview message and run no
// command for it.

import { Window } from 'happy-dom';
import * as path from 'node:path';
import type { WebviewMessage } from '../../../src/panel/protocol';
import { validateHostMessage, validateWebviewMessage } from '../../../src/panel/protocolValidation';
import { installFakeVscode } from '../support/installFakeVscode';
import { HOSTILE_STRINGS, mutateMessage, withHostileStrings } from '../support/panelMessages';
import { Random } from '../support/random';
import { FakeEngine } from '../../unit/helpers/fakePanelEngine';
import { sampleSnapshot } from '../../unit/helpers/panelSamples';

type Json = Parameters<typeof mutateMessage>[1];

export interface Webview {
  window: Window;
  posted: WebviewMessage[];
  app(): HTMLElement;
  send(data: unknown): void;
}

export interface MessageFuzzFigures {
  messages: number;
  invalid: number;
  rendered: number;
  /** Broken rules, one line each; must be empty. */
  problems: string[];
}

/**
 * Loads media/panel.ts into a fresh happy-dom window, as the webview runs it. Each call loads
 * the script again, because happy-dom keeps about 4 MB per rendered snapshot (21.0.4, seen
 * here), so long runs need a new window now and then.
 */
export function loadWebview(): Webview {
  for (const id of Object.keys(require.cache)) {
    if (id.includes(`${path.sep}media${path.sep}`)) delete require.cache[id];
  }

  const window = new Window({ url: 'https://webview.test/' });
  window.document.body.innerHTML = '<main id="app" aria-busy="true"></main>';
  const globals = globalThis as Record<string, unknown>;
  for (const name of ['window', 'document', 'HTMLElement', 'Node', 'Event', 'KeyboardEvent', 'MouseEvent', 'CSS', 'MessageEvent'] as const) {
    globals[name] = (window as unknown as Record<string, unknown>)[name];
  }
  const posted: WebviewMessage[] = [];
  globals.acquireVsCodeApi = () => ({ postMessage: (message: WebviewMessage) => posted.push(message), getState: () => undefined, setState: () => undefined });

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../../../media/panel');
  return {
    window,
    posted,
    app: () => window.document.getElementById('app') as unknown as HTMLElement,
    send: (data) => void window.dispatchEvent(new window.MessageEvent('message', { data })),
  };
}

/** Elements and attributes that would mean a string became markup. */
export function findMarkup(root: HTMLElement): string[] {
  const problems: string[] = [];
  for (const element of Array.from(root.querySelectorAll('*'))) {
    const tag = element.tagName.toLowerCase();
    if (['script', 'img', 'iframe', 'svg', 'object', 'embed', 'a'].includes(tag)) problems.push(`<${tag}>`);
    for (const attribute of Array.from(element.attributes)) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) problems.push(`${tag}[${attribute.name}]`);
      const isUrl = ['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name);
      if (isUrl && /javascript:/i.test(attribute.value)) problems.push(`${tag}[${attribute.name}=${attribute.value}]`);
    }
  }
  return problems;
}

/** Sends `count` mutated snapshot messages to the webview and checks how it handles each. */
export function fuzzWebviewMessages(webview: Webview, seed: number, count: number): MessageFuzzFigures {
  const random = new Random(seed);
  const base = { type: 'snapshot', snapshot: sampleSnapshot() } as unknown as Json;
  const figures: MessageFuzzFigures = { messages: 0, invalid: 0, rendered: 0, problems: [] };

  for (let i = 0; i < count; i += 1) {
    const message = mutateMessage(random, base);
    const valid = validateHostMessage(message).ok;
    const childrenBefore = Array.from(webview.app().childNodes);
    const postedBefore = webview.posted.length;

    webview.send(message);
    figures.messages += 1;

    const replies = webview.posted.slice(postedBefore);
    if (valid) {
      if (replies.at(-1)?.type === 'rendered') figures.rendered += 1;
      else figures.problems.push(`message ${i}: valid but answered ${JSON.stringify(replies)}`);
      for (const markup of findMarkup(webview.app())) figures.problems.push(`message ${i}: created ${markup}`);
      continue;
    }

    figures.invalid += 1;
    const childrenAfter = Array.from(webview.app().childNodes);
    const unchanged = childrenAfter.length === childrenBefore.length && childrenAfter.every((node, index) => node === childrenBefore[index]);
    if (!unchanged) figures.problems.push(`message ${i}: invalid but changed the page`);
    const reported = replies.length === 1 && replies[0].type === 'reportProblem' && replies[0].message.startsWith('Dropped an invalid message from the extension: ');
    if (!reported) figures.problems.push(`message ${i}: invalid, answered ${JSON.stringify(replies).slice(0, 300)}`);
  }

  if ((globalThis as Record<string, unknown>).pwned !== undefined) figures.problems.push('a hostile string ran code');
  if (({} as Record<string, unknown>).polluted !== undefined) figures.problems.push('Object.prototype was polluted');
  return figures;
}

/** Sends valid snapshots whose strings carry markup and checks that all of it shows as text. */
export function renderHostileStrings(webview: Webview, seed: number, count: number): MessageFuzzFigures {
  const random = new Random(seed);
  const figures: MessageFuzzFigures = { messages: 0, invalid: 0, rendered: 0, problems: [] };
  for (let i = 0; i < count; i += 1) {
    const message = withHostileStrings(random, { type: 'snapshot', snapshot: sampleSnapshot() } as unknown as Json);
    const checked = validateHostMessage(message);
    if (!checked.ok) {
      figures.problems.push(`snapshot ${i} is invalid: ${checked.problem}`);
      continue;
    }

    webview.send(message);
    figures.messages += 1;
    figures.rendered += 1;
    for (const markup of findMarkup(webview.app())) figures.problems.push(`snapshot ${i}: created ${markup}`);
    const text = webview.app().textContent ?? '';
    if (!HOSTILE_STRINGS.some((hostile) => text.includes(hostile.slice(0, 20)))) figures.problems.push(`snapshot ${i}: no hostile string shown as text`);
  }
  if ((globalThis as Record<string, unknown>).pwned !== undefined) figures.problems.push('a hostile string ran code');
  return figures;
}

const VALID_WEBVIEW_MESSAGES: unknown[] = [
  { type: 'pinDomain', uri: 'file:///a.txt', domain: 'legal' },
  { type: 'clearPin', uri: 'file:///a.txt' },
  { type: 'setExpertEnabled', expertId: 'L2.E5', enabled: false },
  { type: 'setTopK', topK: 3 },
  { type: 'setCounterfactual', enabled: true },
  { type: 'runAction', action: 'showLog' },
  { type: 'reportProblem', message: 'Dropped a message' },
  { type: 'rendered', status: 'ready', domain: 'legal', heatmapCells: 36 },
];

/** Sends `count` mutated webview messages to the host's view provider; every invalid one must be dropped, logged once and run nothing. */
export async function fuzzHostMessages(seed: number, count: number): Promise<MessageFuzzFigures> {
  const vscode = installFakeVscode();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ActiveExpertsViewProvider } = require('../../../src/panel/activeExpertsView') as typeof import('../../../src/panel/activeExpertsView');
  const log = vscode.api.window.createOutputChannel('panel test');
  const events = new vscode.api.EventEmitter<never>();
  const provider = new ActiveExpertsViewProvider({
    extensionUri: vscode.api.Uri.file('/extension') as never,
    engine: new FakeEngine('ready'),
    log: log as never,
    routingFor: () => ({ mode: 'auto', biasStrength: 4, minConfidence: 0.5, topK: 2, topP: 1, disabledExperts: [], counterfactual: false, counterfactualStrength: 0.5 }),
    isLanguageEnabled: () => true,
    onDidComplete: events.event as never,
    onDidExplain: events.event as never,
  });
  const registration = vscode.api.window.registerWebviewViewProvider(ActiveExpertsViewProvider.viewType, provider as never);
  const view = vscode.host.resolveView(ActiveExpertsViewProvider.viewType);
  const random = new Random(seed);
  const figures: MessageFuzzFigures = { messages: 0, invalid: 0, rendered: 0, problems: [] };

  for (let i = 0; i < count; i += 1) {
    const message = mutateMessage(random, random.pick(VALID_WEBVIEW_MESSAGES) as Json);
    if (validateWebviewMessage(message).ok) continue;
    figures.messages += 1;
    figures.invalid += 1;
    const commandsBefore = vscode.host.executedCommands.length;
    const warningsBefore = log.at('warn').length;

    view.receive(message);
    await new Promise((resolve) => setImmediate(resolve));

    const commands = vscode.host.executedCommands.slice(commandsBefore).map((command) => command.id);
    if (commands.length > 0) figures.problems.push(`message ${i}: invalid, ran ${commands.join(', ')}`);
    const warnings = log.at('warn').slice(warningsBefore);
    const logged = warnings.length === 1 && warnings[0].startsWith('Dropped an invalid message from the Active Experts view: message');
    if (!logged) figures.problems.push(`message ${i}: invalid, logged ${JSON.stringify(warnings)}`);
  }

  provider.dispose();
  registration.dispose();
  return figures;
}
