/** A piece of a one-line text with its style. */
export interface Segment {
  text: string;
  bold?: boolean;
  color?: string;
}

/** Cuts styled pieces to `width` characters, the last one kept ending in "…". Pure. */
export function cutSegments(segments: Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let left = width;
  for (const s of segments) {
    const chars = [...s.text];
    if (chars.length <= left) {
      out.push(s);
      left -= chars.length;
      continue;
    }
    if (left > 0) out.push({ ...s, text: `${chars.slice(0, left - 1).join('')}…` });
    break;
  }
  return out;
}

/** A plain line cut to `width` characters, ending in "…" when cut. Pure. */
export const cutText = (text: string, width: number): string => cutSegments([{ text }], width).map((s) => s.text).join('');
