/** Where everything goes on a rows × columns screen. Pure. */
export interface Layout {
  width: number;
  listRows: number;
  sparkline: boolean;
  /** Content lines of each log pane (titles excluded). */
  paneLines: number[];
  /** The screen row (0-based) of each pane's first content line, below its title. */
  paneTops: number[];
}

/** Each pane's first content row: below the header, the list, the sparkline, the panes above and its own title. */
function withTops(layout: Omit<Layout, 'paneTops'>, header: number): Layout {
  let top = header + layout.listRows + (layout.sparkline ? 1 : 0);
  const paneTops = layout.paneLines.map((lines) => {
    const first = top + 1;
    top = first + lines;
    return first;
  });
  return { ...layout, paneTops };
}

export function computeLayout(rows: number, columns: number, services: number, view: 'single' | 'stacked', listLength = services): Layout {
  const header = 1;
  const status = 1;
  const listRows = Math.min(listLength, Math.max(1, Math.floor(rows / 3))) + 1; // + column titles (listLength: services and host titles)
  const sparkline = rows >= 20;
  const free = Math.max(2, rows - header - status - listRows - (sparkline ? 1 : 0));
  if (view === 'single' || services <= 1) return withTops({ width: columns, listRows, sparkline, paneLines: [Math.max(1, free - 1)] }, header);
  // Stacked: every service gets a titled pane; when they do not fit, as many as fit with ≥ 2 lines each.
  const panes = Math.max(1, Math.min(services, Math.floor(free / 3)));
  const each = Math.floor(free / panes);
  const paneLines = Array.from({ length: panes }, (_, i) => (i === panes - 1 ? free - each * (panes - 1) : each) - 1);
  return withTops({ width: columns, listRows, sparkline, paneLines }, header);
}
