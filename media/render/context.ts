import type { Domain } from '../../src/engine/protocol';
import type { PanelSnapshot, WebviewMessage } from '../../src/panel/protocol';
import type { ExpertTable } from '../analysis';
import type { DomainColor } from '../domains';

/** View state that survives re-renders and the view being hidden. */
export interface UiState {
  selectedToken: number;
  /** Focused cell of each expert grid, by grid id, as [row, column]. */
  gridCells: Record<string, [number, number]>;
  /** Ids of `<details>` elements the user opened. */
  openDetails: string[];
}

export const initialUiState: UiState = { selectedToken: 0, gridCells: {}, openDetails: [] };

/** The snapshot, lookups and callbacks that every renderer receives. */
export interface RenderContext {
  snapshot: PanelSnapshot;
  /** Present once the engine reported a model. */
  table: ExpertTable | undefined;
  colors: ReadonlyMap<Domain, DomainColor>;
  ui: UiState;
  post(message: WebviewMessage): void;
  /** Stores view state without re-rendering. */
  saveUi(change: Partial<UiState>): void;
}
