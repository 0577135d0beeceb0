// A layers-by-experts grid with ARIA grid semantics, keyboard navigation and a detail line that
// describes the focused or hovered cell. The heatmap and the load view are both drawn with it.

import { h, setCssNumber } from '../dom';
import { abbreviateLabel, domainColorClass, domainTitle } from '../domains';
import { makeRoving } from '../keyboard';
import { range } from '../analysis';
import type { RenderContext } from './context';

export interface GridCell {
  classes: string[];
  /** A mark drawn in the cell, such as the dot of a selected expert. */
  glyph?: string;
  /** The cell's accessible name, which screen readers announce. */
  label: string;
  /** The longer description shown in the detail line. */
  detail: string;
  /** CSS custom properties, such as `--value`, that the stylesheet draws from. */
  values?: Record<`--${string}`, number>;
}

export interface ExpertGridOptions {
  id: string;
  /** The grid's accessible name. */
  label: string;
  cell(layer: number, index: number): GridCell;
  /** An extra column after the experts, such as the layer's entropy. */
  summary?: { heading: string; title: string; cell(layer: number): GridCell };
  /** Shown in the detail line before any cell is focused or hovered. */
  hint: string;
}

export function renderExpertGrid(context: RenderContext, options: ExpertGridOptions): HTMLElement {
  const table = context.table;
  if (table === undefined) return h('p', { class: 'hint' }, 'The model has not reported its experts yet.');

  const { layers, expertsPerLayer } = table.model;
  const detail = h('p', { class: 'grid-detail', id: `${options.id}-detail` }, options.hint);
  const showDetail = (text: string) => {
    detail.textContent = text;
  };

  const grid = h('div', {
    class: 'expert-grid',
    id: options.id,
    role: 'grid',
    'aria-label': options.label,
    'aria-rowcount': layers + 1,
    'aria-colcount': expertsPerLayer + (options.summary ? 2 : 1),
  });
  setCssNumber(grid, '--experts', expertsPerLayer);
  grid.classList.toggle('has-summary', options.summary !== undefined);

  const header = h('div', { class: 'grid-row grid-header', role: 'row' }, h('span', { class: 'grid-corner', role: 'columnheader' }, 'Layer'));
  for (const column of table.columns()) {
    const title = column.label ? `${column.label} (${domainTitle(column.domain ?? '')})` : `Expert ${column.index}`;
    header.appendChild(
      h(
        'span',
        {
          class: `grid-column ${column.domain ? domainColorClass(context.colors, column.domain) : 'domain-neutral'}`,
          role: 'columnheader',
          title,
          'aria-label': title,
        },
        column.label ? abbreviateLabel(column.label) : `E${column.index}`,
      ),
    );
  }
  if (options.summary) {
    header.appendChild(h('span', { class: 'grid-column grid-summary-heading', role: 'columnheader', title: options.summary.title, 'aria-label': options.summary.title }, options.summary.heading));
  }
  grid.appendChild(header);

  const focusRows: HTMLElement[][] = [];
  for (const layer of range(layers)) {
    const row = h('div', { class: 'grid-row', role: 'row' }, h('span', { class: 'grid-layer', role: 'rowheader' }, `L${layer}`));
    const focusable: HTMLElement[] = [];

    const cells = range(expertsPerLayer).map((index) => options.cell(layer, index));
    if (options.summary) cells.push(options.summary.cell(layer));
    for (const cell of cells) {
      const element = renderCell(cell);
      element.addEventListener('mouseenter', () => showDetail(cell.detail));
      element.addEventListener('focus', () => showDetail(cell.detail));
      row.appendChild(element);
      focusable.push(element);
    }

    grid.appendChild(row);
    focusRows.push(focusable);
  }

  grid.addEventListener('mouseleave', () => {
    const focused = grid.querySelector<HTMLElement>('[role="gridcell"]:focus');
    if (focused === null) showDetail(options.hint);
  });

  focusRows.forEach((row, rowIndex) =>
    row.forEach((element, columnIndex) => element.setAttribute('data-focus-key', `${options.id}-${rowIndex}-${columnIndex}`)),
  );
  makeRoving(focusRows, {
    active: context.ui.gridCells[options.id] ?? [0, 0],
    onFocus: (row, column) => context.saveUi({ gridCells: { ...context.ui.gridCells, [options.id]: [row, column] } }),
  });

  return h('div', { class: 'expert-grid-wrapper' }, grid, detail);
}

function renderCell(cell: GridCell): HTMLElement {
  const element = h('span', { class: ['grid-cell', ...cell.classes].join(' '), role: 'gridcell', 'aria-label': cell.label }, h('span', { class: 'cell-fill', 'aria-hidden': 'true' }));
  for (const [name, value] of Object.entries(cell.values ?? {})) {
    setCssNumber(element, name as `--${string}`, value);
  }
  if (cell.glyph) element.appendChild(h('span', { class: 'cell-glyph', 'aria-hidden': 'true' }, cell.glyph));
  return element;
}
