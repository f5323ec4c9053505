const BARS = '▁▂▃▄▅▆▇█';

/** The last `width` values as bar characters scaled to their own maximum. Pure. */
export function sparkline(values: number[], width: number): string {
  const shown = values.slice(-width);
  const max = Math.max(...shown, 0);
  if (shown.length === 0) return '';
  return shown.map((v) => (max <= 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))])).join('');
}
