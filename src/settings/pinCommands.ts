// The `expertActivation.pinDomain` and `expertActivation.clearPin` commands.

import * as vscode from 'vscode';
import type { Domain } from '../engine/protocol';
import type { PinStore } from './pinStore';

export interface PinDomainArguments {
  domain?: string;
  uri?: string;
}

export class PinCommands {
  constructor(
    private readonly pins: PinStore,
    private readonly domains: () => readonly Domain[],
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * Pins a domain on a document (the active one unless `uri` is given). Without a domain it asks
   * with a quick pick. Returns the pinned domain, or undefined when nothing was pinned.
   */
  async pinDomain(args?: PinDomainArguments): Promise<Domain | undefined> {
    const uri = targetUri(stringArgument(args?.uri));
    if (uri === undefined) {
      void vscode.window.showWarningMessage('Expert Activation: open a document to pin its domain.');
      return undefined;
    }

    const domains = this.domains();
    let domain = stringArgument(args?.domain);
    if (domain === undefined) {
      const choice = await this.pickDomain(uri, domains);
      if (choice === undefined) return undefined;
      if (choice === 'clear') {
        await this.clearPin({ uri: uri.toString() });
        return undefined;
      }
      domain = choice;
    }

    const known = domains.find((candidate) => candidate.toLowerCase() === domain.trim().toLowerCase());
    if (known === undefined) {
      const message = `Expert Activation: cannot pin "${domain}": the model has no such domain. Accepted domains: ${domains.join(', ')}.`;
      this.log.warn(message);
      void vscode.window.showErrorMessage(message);
      return undefined;
    }

    await this.pins.set(uri, known);
    this.log.info(`Pinned ${uri.toString()} to the ${known} domain.`);
    return known;
  }

  async clearPin(args?: { uri?: string }): Promise<void> {
    const uri = targetUri(stringArgument(args?.uri));
    if (uri === undefined) return;
    if (this.pins.get(uri) === undefined) return;

    await this.pins.set(uri, undefined);
    this.log.info(`Cleared the domain pin of ${uri.toString()}.`);
  }

  private async pickDomain(uri: vscode.Uri, domains: readonly Domain[]): Promise<Domain | 'clear' | undefined> {
    const current = this.pins.get(uri);
    type Item = vscode.QuickPickItem & { value: Domain | 'clear' };

    const items: Item[] = domains.map((domain) => ({
      label: capitalize(domain),
      description: domain === current ? 'pinned now' : undefined,
      value: domain,
    }));
    if (current !== undefined) {
      items.push({ label: '', kind: vscode.QuickPickItemKind.Separator, value: 'clear' });
      items.push({
        label: '$(close) Clear the pin',
        description: 'use rules and detection again',
        value: 'clear',
      });
    }

    const picked = await vscode.window.showQuickPick(items, {
      title: 'Pin Domain for This Document',
      placeHolder: 'Route this document to the experts of one domain',
    });
    return picked?.value;
  }
}

/** Returns the value when it is a string; command arguments from keybindings and menus are unchecked. */
function stringArgument(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function targetUri(uri: string | undefined): vscode.Uri | undefined {
  if (uri !== undefined) return vscode.Uri.parse(uri);
  return vscode.window.activeTextEditor?.document.uri;
}

export function capitalize(text: string): string {
  return text.length === 0 ? text : text[0].toUpperCase() + text.slice(1);
}
