import { Text } from 'ink';
import { memo } from 'react';
import type { Toast } from '../state.js';

export interface StatusLineProps {
  toast: Toast | null;
  search: { editing: boolean; query: string };
  color: boolean;
}

const COLORS = { info: 'yellow', ok: 'green', error: 'red' } as const;

export const StatusLine = memo(function StatusLine({ toast, search, color }: StatusLineProps) {
  if (search.editing) return <Text wrap="truncate-end">/{search.query}<Text inverse> </Text>  <Text dimColor>Enter search · Esc cancel</Text></Text>;
  if (toast)
    return (
      <Text wrap="truncate-end" color={color ? COLORS[toast.level] : undefined} bold={toast.level === 'error'}>
        {toast.level === 'error' && !color ? 'error: ' : ''}{toast.text}
      </Text>
    );
  return <Text dimColor wrap="truncate-end">↑↓ select · r restart · s start/stop · K kill · b backend · Tab logs · / search · q quit · Q stop all</Text>;
});
