import { Text } from 'ink';
import { memo } from 'react';
import { footerHints } from '../keymap.js';
import type { Toast } from '../state.js';

export interface StatusLineProps {
  toast: Toast | null;
  search: { editing: boolean; query: string };
  /** "match 3/17" of the search, when there is one. */
  match: string | null;
  color: boolean;
  width: number;
}

const COLORS = { info: 'yellow', ok: 'green', error: 'red' } as const;

export const StatusLine = memo(function StatusLine({ toast, search, match, color, width }: StatusLineProps) {
  if (search.editing)
    return (
      <Text wrap="truncate-end">
        /{search.query}<Text inverse> </Text>  <Text dimColor>{match ? `${match} · ` : ''}Enter search · Esc cancel</Text>
      </Text>
    );
  if (toast)
    return (
      <Text wrap="truncate-end" color={color ? COLORS[toast.level] : undefined} bold={toast.level === 'error'}>
        {toast.level === 'error' && !color ? 'error: ' : ''}{toast.text}
      </Text>
    );
  if (search.query && match) return <Text wrap="truncate-end">/{search.query}  {match}  <Text dimColor>n older · N newer · Esc clear</Text></Text>;
  return <Text dimColor wrap="truncate-end">{footerHints(width)}</Text>;
});
