import { Box, Text } from 'ink';
import { BINDINGS, commandIn, HELP_BINDINGS, hintFor, PICKER_BINDINGS, SEARCH_BINDINGS } from '../keymap.js';
import { useModeKeys, type KeyRouter } from '../hooks/use-keys.js';

export interface HelpOverlayProps {
  width?: number;
  /** With a router, the overlay takes the keyboard while it is open; `onClose` then runs on any key. */
  keys?: KeyRouter;
  onClose?: () => void;
}

/** Every key, from the keymap tables, in two columns so that it fits 80×24. */
export function HelpOverlay({ width = 80, keys, onClose }: HelpOverlayProps) {
  useModeKeys(keys, 'help', (input, key) => {
    if (commandIn(HELP_BINDINGS, input, key) === 'help-close') onClose?.();
  });
  const entries = BINDINGS.filter((b) => b.keys);
  const half = Math.ceil(entries.length / 2);
  const column = Math.max(20, Math.floor((width - 4) / 2));
  const cell = (i: number) => {
    const b = entries[i];
    return b ? `${b.keys.padEnd(10)} ${b.help}`.slice(0, column - 1).padEnd(column) : '';
  };
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>llama-top keys</Text>
      {Array.from({ length: half }, (_, row) => (
        <Text key={row} wrap="truncate-end">
          {cell(row)}
          {cell(row + half)}
        </Text>
      ))}
      <Text dimColor wrap="truncate-end">{`${'searching'.padEnd(10)} ${hintFor(SEARCH_BINDINGS)}`}</Text>
      <Text dimColor wrap="truncate-end">{`${'b picker'.padEnd(10)} ${hintFor(PICKER_BINDINGS)}`}</Text>
      <Text dimColor wrap="truncate-end">q leaves every service running (the daemon keeps them alive). Any key closes this.</Text>
    </Box>
  );
}
