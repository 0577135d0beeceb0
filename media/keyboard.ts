// Roving tabindex: a grid or list is one Tab stop, and the arrow keys move focus inside it.

export interface RovingOptions {
  /** The item that takes the Tab stop, as [row, column]; clamped to the grid. */
  active: [number, number];
  /** Called when an item gets focus, by keyboard or by mouse. */
  onFocus?(row: number, column: number): void;
  /** For a wrapped list in one row: Up and Down move to the previous and next item too. */
  linear?: boolean;
}

export function makeRoving(rows: HTMLElement[][], options: RovingOptions): void {
  const nonEmpty = rows.filter((row) => row.length > 0);
  if (nonEmpty.length === 0) return;

  const activeRow = clamp(options.active[0], 0, nonEmpty.length - 1);
  const activeColumn = clamp(options.active[1], 0, nonEmpty[activeRow].length - 1);

  nonEmpty.forEach((row, rowIndex) => {
    row.forEach((item, columnIndex) => {
      item.tabIndex = rowIndex === activeRow && columnIndex === activeColumn ? 0 : -1;
      item.addEventListener('focus', () => {
        for (const other of nonEmpty.flat()) other.tabIndex = other === item ? 0 : -1;
        options.onFocus?.(rowIndex, columnIndex);
      });
      item.addEventListener('keydown', (event) => {
        const target = nextPosition(nonEmpty, rowIndex, columnIndex, event, options.linear === true);
        if (target === undefined) return;
        event.preventDefault();
        nonEmpty[target[0]][target[1]].focus();
      });
    });
  });
}

function nextPosition(
  rows: HTMLElement[][],
  row: number,
  column: number,
  event: KeyboardEvent,
  linear: boolean,
): [number, number] | undefined {
  const lastRow = rows.length - 1;
  const lastColumn = (r: number) => rows[r].length - 1;

  switch (event.key) {
    case 'ArrowRight':
      return [row, Math.min(column + 1, lastColumn(row))];
    case 'ArrowLeft':
      return [row, Math.max(column - 1, 0)];
    case 'ArrowDown': {
      if (linear) return [row, Math.min(column + 1, lastColumn(row))];
      const below = Math.min(row + 1, lastRow);
      return [below, Math.min(column, lastColumn(below))];
    }
    case 'ArrowUp': {
      if (linear) return [row, Math.max(column - 1, 0)];
      const above = Math.max(row - 1, 0);
      return [above, Math.min(column, lastColumn(above))];
    }
    case 'Home':
      return event.ctrlKey ? [0, 0] : [row, 0];
    case 'End':
      return event.ctrlKey ? [lastRow, lastColumn(lastRow)] : [row, lastColumn(row)];
    default:
      return undefined;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
