// A small in-process stand-in for the `vscode` module. It has enough of the API for the
// extension to activate and register its provider, commands, status bar item and panel. Tests
// use it to drive documents, settings and the webview view, and to read what the extension
// showed and logged. It implements only what src/ uses, so a new API call fails loudly here
// instead of passing silently.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_ROOT } from './repositoryRoot';

type Listener<T> = (event: T) => unknown;

export class Disposable {
  constructor(private readonly onDispose: () => void = () => undefined) {}

  static from(...disposables: Array<{ dispose(): unknown }>): Disposable {
    return new Disposable(() => disposables.forEach((disposable) => disposable.dispose()));
  }

  dispose(): void {
    this.onDispose();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();

  readonly event = (listener: Listener<T>, thisArgs?: unknown, disposables?: Disposable[]): Disposable => {
    const bound: Listener<T> = (event) => listener.call(thisArgs, event);
    this.listeners.add(bound);
    const disposable = new Disposable(() => this.listeners.delete(bound));
    disposables?.push(disposable);
    return disposable;
  };

  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}

  isEqual(other: Position): boolean {
    return this.line === other.line && this.character === other.character;
  }

  isBefore(other: Position): boolean {
    return this.line < other.line || (this.line === other.line && this.character < other.character);
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;

  constructor(start: Position | number, end: Position | number, endLine?: number, endCharacter?: number) {
    const from = typeof start === 'number' ? new Position(start, end as number) : start;
    const to = typeof start === 'number' ? new Position(endLine as number, endCharacter as number) : (end as Position);
    [this.start, this.end] = to.isBefore(from) ? [to, from] : [from, to];
  }

  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
}

export class Selection extends Range {
  constructor(
    readonly anchor: Position,
    readonly active: Position,
  ) {
    super(anchor, active);
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}

  static file(fsPath: string): Uri {
    return new Uri('file', fsPath);
  }

  static parse(value: string): Uri {
    const match = /^([a-zA-Z][\w+.-]*):(?:\/\/[^/]*)?(.*)$/.exec(value);
    return match === null ? new Uri('file', value) : new Uri(match[1], match[2]);
  }

  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, path.posix.join(base.path, ...parts));
  }

  get fsPath(): string {
    return this.path;
  }

  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export class MarkdownString {
  supportThemeIcons = false;
  constructor(readonly value = '') {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class InlineCompletionItem {
  constructor(
    readonly insertText: string,
    readonly range?: Range,
  ) {}
}

export const EndOfLine = { LF: 1, CRLF: 2 } as const;
export const InlineCompletionTriggerKind = { Invoke: 0, Automatic: 1 } as const;
export const StatusBarAlignment = { Left: 1, Right: 2 } as const;
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 } as const;
export const QuickPickItemKind = { Separator: -1, Default: 0 } as const;
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 } as const;
export const ExtensionMode = { Production: 1, Development: 2, Test: 3 } as const;

/** A text document with VS Code's line and offset rules: `\r\n`, `\r` and `\n` end lines, offsets clamp. */
export class FakeTextDocument {
  readonly uri: Uri;
  version = 1;
  isClosed = false;
  private content: string;
  private lineStarts: number[] = [];

  constructor(
    text: string,
    readonly languageId = 'plaintext',
    uri: Uri = Uri.parse(`untitled:/Untitled-${Math.random().toString(36).slice(2)}`),
  ) {
    this.uri = uri;
    this.content = text;
    this.indexLines();
  }

  get fileName(): string {
    return this.uri.fsPath;
  }

  get eol(): number {
    return this.content.includes('\r\n') ? EndOfLine.CRLF : EndOfLine.LF;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  getText(range?: Range): string {
    if (range === undefined) return this.content;
    return this.content.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  offsetAt(position: Position): number {
    const line = Math.min(Math.max(0, position.line), this.lineStarts.length - 1);
    const start = this.lineStarts[line];
    return start + Math.min(Math.max(0, position.character), this.lineLength(line));
  }

  positionAt(offset: number): Position {
    const clamped = Math.min(Math.max(0, Math.floor(offset)), this.content.length);
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return new Position(low, Math.min(clamped - this.lineStarts[low], this.lineLength(low)));
  }

  lineAt(lineOrPosition: number | Position): { text: string; range: Range; lineNumber: number } {
    const line = typeof lineOrPosition === 'number' ? lineOrPosition : lineOrPosition.line;
    if (line < 0 || line >= this.lineStarts.length) throw new RangeError(`Illegal line ${line}.`);
    const start = this.lineStarts[line];
    const text = this.content.slice(start, start + this.lineLength(line));
    return { text, lineNumber: line, range: new Range(line, 0, line, text.length) };
  }

  /** Replaces `[from, to)` with `text`, as an edit would, and bumps the version. */
  replace(from: number, to: number, text: string): void {
    this.content = this.content.slice(0, from) + text + this.content.slice(to);
    this.version += 1;
    this.indexLines();
  }

  private lineLength(line: number): number {
    const start = this.lineStarts[line];
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.content.length + 1;
    let end = next - 1;
    if (line + 1 < this.lineStarts.length && this.content[end - 1] === '\r' && this.content[end] === '\n') end -= 1;
    return Math.max(0, Math.min(end, this.content.length) - start);
  }

  private indexLines(): void {
    const starts = [0];
    const text = this.content;
    for (let i = 0; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code === 10) starts.push(i + 1);
      else if (code === 13) {
        if (text.charCodeAt(i + 1) === 10) i += 1;
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }
}

export interface FakeTextEditor {
  document: FakeTextDocument;
  selection: Selection;
  options: { tabSize: number; insertSpaces: boolean; indentSize?: number };
}

export interface LogEntry {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export class FakeLogOutputChannel {
  readonly entries: LogEntry[] = [];
  readonly logLevel = 1;
  readonly onDidChangeLogLevel = new EventEmitter<number>().event;

  constructor(readonly name: string) {}

  trace(message: string): void {
    this.entries.push({ level: 'trace', message });
  }
  debug(message: string): void {
    this.entries.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.entries.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.entries.push({ level: 'warn', message });
  }
  error(message: string | Error): void {
    this.entries.push({ level: 'error', message: String(message) });
  }
  append(): void {}
  appendLine(): void {}
  replace(): void {}
  clear(): void {}
  show(): void {}
  hide(): void {}
  dispose(): void {}

  /** Messages at `level`, in order. */
  at(level: LogEntry['level']): string[] {
    return this.entries.filter((entry) => entry.level === level).map((entry) => entry.message);
  }
}

export class FakeStatusBarItem {
  text = '';
  tooltip: string | MarkdownString | undefined;
  name: string | undefined;
  command: string | undefined;
  backgroundColor: ThemeColor | undefined;
  accessibilityInformation: unknown;
  visible = false;
  /** Every state shown, with the time it was shown (Date.now()). */
  readonly history: Array<{ at: number; text: string; tooltip: string }> = [];

  constructor(readonly id: string) {}

  get tooltipText(): string {
    return typeof this.tooltip === 'string' ? this.tooltip : (this.tooltip?.value ?? '');
  }

  show(): void {
    this.visible = true;
    this.history.push({ at: Date.now(), text: this.text, tooltip: this.tooltipText });
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {
    this.visible = false;
  }
}

const MAX_KEPT_MESSAGES = 1000;

/** The webview view handed to a registered view provider; tests send messages through `receive`. */
export class FakeWebviewView {
  /** The last messages sent to the view, at most MAX_KEPT_MESSAGES, so a long run does not hoard snapshots. */
  readonly posted: unknown[] = [];
  /** The time (Date.now()) each message of `posted` was sent. */
  readonly postedAt: number[] = [];
  visible = true;
  private readonly messages = new EventEmitter<unknown>();
  private readonly visibility = new EventEmitter<void>();
  private readonly disposal = new EventEmitter<void>();
  readonly onDidChangeVisibility = this.visibility.event;
  readonly onDidDispose = this.disposal.event;
  readonly webview = {
    options: {} as unknown,
    html: '',
    cspSource: 'https://webview.test',
    asWebviewUri: (uri: Uri) => uri,
    postMessage: async (message: unknown) => {
      this.posted.push(message);
      this.postedAt.push(Date.now());
      if (this.posted.length > MAX_KEPT_MESSAGES) {
        this.posted.shift();
        this.postedAt.shift();
      }
      return true;
    },
    onDidReceiveMessage: this.messages.event,
  };

  /** Delivers a message as if the webview script had posted it. */
  receive(message: unknown): void {
    this.messages.fire(message);
  }
}

type ConfigurationValues = Map<string, unknown>;

/** Settings with VS Code's layering: workspace over user over the defaults in package.json. */
class FakeConfiguration {
  readonly user: ConfigurationValues = new Map();
  readonly workspace: ConfigurationValues = new Map();
  readonly defaults: ConfigurationValues = new Map();
  readonly changes = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();

  constructor() {
    const manifest = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
    };
    for (const [key, schema] of Object.entries(manifest.contributes.configuration.properties)) this.defaults.set(key, schema.default);
  }

  section(section: string) {
    const full = (key: string) => (section === '' ? key : `${section}.${key}`);
    return {
      get: <T>(key: string, fallback?: T): T | undefined => {
        const id = full(key);
        for (const layer of [this.workspace, this.user, this.defaults]) if (layer.has(id)) return structuredClone(layer.get(id)) as T;
        return fallback;
      },
      has: (key: string) => [this.workspace, this.user, this.defaults].some((layer) => layer.has(full(key))),
      inspect: (key: string) => ({
        key: full(key),
        defaultValue: this.defaults.get(full(key)),
        globalValue: this.user.get(full(key)),
        workspaceValue: this.workspace.get(full(key)),
        workspaceFolderValue: undefined,
      }),
      update: async (key: string, value: unknown, target?: number | boolean) => {
        this.set(full(key), value, target === ConfigurationTarget.Workspace ? 'workspace' : 'user');
      },
    };
  }

  /** Sets (or with `undefined` removes) a setting and fires the change event. */
  set(id: string, value: unknown, layer: 'user' | 'workspace' = 'user'): void {
    const values = layer === 'user' ? this.user : this.workspace;
    if (value === undefined) values.delete(id);
    else values.set(id, structuredClone(value));
    this.changes.fire({ affectsConfiguration: (section) => id === section || id.startsWith(`${section}.`) });
  }
}

export interface ShownMessage {
  severity: 'error' | 'warning' | 'information';
  message: string;
}

/** Creates one fake `vscode` module with its own state; `host` gives tests access to that state. */
export function createFakeVscode() {
  const configuration = new FakeConfiguration();
  const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
  const executedCommands: Array<{ id: string; args: unknown[] }> = [];
  const outputChannels: FakeLogOutputChannel[] = [];
  const statusBarItems: FakeStatusBarItem[] = [];
  const shownMessages: ShownMessage[] = [];
  const inlineProviders: unknown[] = [];
  const webviewViewProviders = new Map<string, { resolveWebviewView(view: FakeWebviewView): void }>();

  const activeEditorChange = new EventEmitter<FakeTextEditor | undefined>();
  const selectionChange = new EventEmitter<{ textEditor: FakeTextEditor; selections: Selection[] }>();
  const documentOpen = new EventEmitter<FakeTextDocument>();
  const documentClose = new EventEmitter<FakeTextDocument>();
  const documentChange = new EventEmitter<{ document: FakeTextDocument; contentChanges: unknown[] }>();
  const filesRenamed = new EventEmitter<{ files: Array<{ oldUri: Uri; newUri: Uri }> }>();

  const show = (severity: ShownMessage['severity']) => async (message: string) => {
    shownMessages.push({ severity, message });
    return undefined;
  };

  const window = {
    activeTextEditor: undefined as FakeTextEditor | undefined,
    visibleTextEditors: [] as FakeTextEditor[],
    onDidChangeActiveTextEditor: activeEditorChange.event,
    onDidChangeTextEditorSelection: selectionChange.event,
    createOutputChannel: (name: string) => {
      const channel = new FakeLogOutputChannel(name);
      outputChannels.push(channel);
      return channel;
    },
    createStatusBarItem: (id: string) => {
      const item = new FakeStatusBarItem(id);
      statusBarItems.push(item);
      return item;
    },
    setStatusBarMessage: (message: string) => {
      shownMessages.push({ severity: 'information', message });
      return new Disposable();
    },
    showErrorMessage: show('error'),
    showWarningMessage: show('warning'),
    showInformationMessage: show('information'),
    showQuickPick: async () => undefined,
    withProgress: async <T>(_options: unknown, task: (progress: { report(): void }, token: unknown) => Promise<T>) =>
      task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => new Disposable() }),
    registerWebviewViewProvider: (id: string, provider: { resolveWebviewView(view: FakeWebviewView): void }) => {
      webviewViewProviders.set(id, provider);
      return new Disposable(() => webviewViewProviders.delete(id));
    },
  };

  const workspace = {
    workspaceFolders: undefined as unknown,
    getConfiguration: (section = '') => configuration.section(section),
    onDidChangeConfiguration: configuration.changes.event,
    onDidOpenTextDocument: documentOpen.event,
    onDidCloseTextDocument: documentClose.event,
    onDidChangeTextDocument: documentChange.event,
    onDidRenameFiles: filesRenamed.event,
    getWorkspaceFolder: () => undefined,
    asRelativePath: (uri: Uri | string) => (typeof uri === 'string' ? uri : uri.path),
  };

  const commands = {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      if (commandHandlers.has(id)) throw new Error(`command '${id}' already exists`);
      commandHandlers.set(id, handler);
      return new Disposable(() => commandHandlers.delete(id));
    },
    executeCommand: async (id: string, ...args: unknown[]) => {
      executedCommands.push({ id, args });
      return commandHandlers.get(id)?.(...args);
    },
    getCommands: async () => [...commandHandlers.keys()],
  };

  const languages = {
    registerInlineCompletionItemProvider: (_selector: unknown, provider: unknown) => {
      inlineProviders.push(provider);
      return new Disposable(() => inlineProviders.splice(inlineProviders.indexOf(provider), 1));
    },
  };

  const host = {
    configuration,
    commandHandlers,
    executedCommands,
    outputChannels,
    statusBarItems,
    shownMessages,
    inlineProviders,
    webviewViewProviders,

    /** Opens `document` in an editor, makes it active and fires the editor events. */
    showDocument(document: FakeTextDocument, cursorOffset = document.getText().length): FakeTextEditor {
      const cursor = document.positionAt(cursorOffset);
      const editor: FakeTextEditor = { document, selection: new Selection(cursor, cursor), options: { tabSize: 4, insertSpaces: true } };
      window.activeTextEditor = editor;
      window.visibleTextEditors = [editor];
      documentOpen.fire(document);
      activeEditorChange.fire(editor);
      return editor;
    },

    /** Applies an edit to the active editor's document, moves the cursor to its end and fires the events. */
    edit(editor: FakeTextEditor, from: number, to: number, text: string): void {
      editor.document.replace(from, to, text);
      const cursor = editor.document.positionAt(from + text.length);
      editor.selection = new Selection(cursor, cursor);
      documentChange.fire({ document: editor.document, contentChanges: [{ text }] });
      selectionChange.fire({ textEditor: editor, selections: [editor.selection] });
    },

    closeDocument(document: FakeTextDocument): void {
      document.isClosed = true;
      if (window.activeTextEditor?.document === document) {
        window.activeTextEditor = undefined;
        window.visibleTextEditors = [];
        activeEditorChange.fire(undefined);
      }
      documentClose.fire(document);
    },

    /** Resolves the registered webview view `id` with a fake view and returns it. */
    resolveView(id: string): FakeWebviewView {
      const provider = webviewViewProviders.get(id);
      if (provider === undefined) throw new Error(`No webview view provider is registered for ${id}.`);
      const view = new FakeWebviewView();
      provider.resolveWebviewView(view);
      return view;
    },
  };

  const api = {
    Disposable,
    EventEmitter,
    Position,
    Range,
    Selection,
    Uri,
    MarkdownString,
    ThemeColor,
    InlineCompletionItem,
    EndOfLine,
    InlineCompletionTriggerKind,
    StatusBarAlignment,
    ConfigurationTarget,
    QuickPickItemKind,
    ProgressLocation,
    ExtensionMode,
    window,
    workspace,
    commands,
    languages,
  };
  return { api, host };
}

export type FakeVscode = ReturnType<typeof createFakeVscode>;
export type FakeHost = FakeVscode['host'];

/** A Memento kept in memory, for `workspaceState` and `globalState`. */
export class MemoryMemento {
  private readonly values = new Map<string, unknown>();

  get<T>(key: string, fallback?: T): T | undefined {
    return this.values.has(key) ? (structuredClone(this.values.get(key)) as T) : fallback;
  }

  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, structuredClone(value));
  }

  keys(): readonly string[] {
    return [...this.values.keys()];
  }
}
