// Domain pins per document URI, kept in memory and in `workspaceState` so that they survive a
// reload of the window.

import * as vscode from 'vscode';
import type { Domain } from '../engine/protocol';

const STATE_KEY = 'expertActivation.pins';

/** Pins beyond this count drop the oldest first, so `workspaceState` stays small. */
const MAX_PINS = 1000;

export interface PinChange {
  uri: string;
  /** The new pin, or undefined when the pin was cleared. */
  domain: Domain | undefined;
}

export class PinStore implements vscode.Disposable {
  private readonly pins: Map<string, Domain>;
  private readonly changeEmitter = new vscode.EventEmitter<PinChange>();

  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly state: vscode.Memento) {
    const stored = state.get<Record<string, unknown>>(STATE_KEY, {});
    this.pins = new Map();
    for (const [uri, domain] of Object.entries(stored ?? {})) {
      if (typeof domain === 'string') this.pins.set(uri, domain);
    }
  }

  get(uri: vscode.Uri | string): Domain | undefined {
    return this.pins.get(uri.toString());
  }

  all(): ReadonlyMap<string, Domain> {
    return this.pins;
  }

  async set(uri: vscode.Uri | string, domain: Domain | undefined): Promise<void> {
    const key = uri.toString();
    if (this.pins.get(key) === domain) return;

    this.pins.delete(key);
    if (domain !== undefined) this.pins.set(key, domain);
    while (this.pins.size > MAX_PINS) {
      const oldest = this.pins.keys().next().value as string;
      this.pins.delete(oldest);
    }

    this.changeEmitter.fire({ uri: key, domain });
    await this.save();
  }

  /** Moves a pin along with a renamed or moved file. */
  async move(from: vscode.Uri, to: vscode.Uri): Promise<void> {
    const domain = this.pins.get(from.toString());
    if (domain === undefined) return;
    await this.set(from, undefined);
    await this.set(to, domain);
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }

  private async save(): Promise<void> {
    await this.state.update(STATE_KEY, Object.fromEntries(this.pins));
  }
}
