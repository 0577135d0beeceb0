// Registers the completion provider and its listeners while completions are on, and disposes
// them while they are off, so toggling never leaves a second provider behind. No `vscode` import.

export interface Disposable {
  dispose(): void;
}

export class ToggledRegistration implements Disposable {
  private registered: Disposable[] | undefined;
  private registrations = 0;

  /** `register` creates the provider registration and its listeners and returns their disposables. */
  constructor(private readonly register: () => Disposable[]) {}

  setEnabled(enabled: boolean): void {
    if (enabled && this.registered === undefined) {
      this.registered = this.register();
      this.registrations += 1;
    } else if (!enabled && this.registered !== undefined) {
      const registered = this.registered;
      this.registered = undefined;
      for (const disposable of registered) disposable.dispose();
    }
  }

  get isEnabled(): boolean {
    return this.registered !== undefined;
  }

  /** Number of disposables held now: the provider plus its listeners, or 0 while off. */
  get activeDisposables(): number {
    return this.registered?.length ?? 0;
  }

  /** How many times the provider was registered since activation. */
  get registrationCount(): number {
    return this.registrations;
  }

  dispose(): void {
    this.setEnabled(false);
  }
}
