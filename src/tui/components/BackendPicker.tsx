import { Box, Text } from 'ink';
import { commandIn, hintFor, PICKER_BINDINGS, type PickerCommand } from '../keymap.js';
import { useModeKeys, type KeyRouter } from '../hooks/use-keys.js';

export interface BackendChoice {
  name: string;
  service: string | null;
  healthy: boolean | null;
  active: boolean;
  /** Why it is ✗ (or what is unknown about it), shown under it. */
  reason: string | null;
}

export interface BackendPickerProps {
  /** null: still being checked. */
  choices: BackendChoice[] | null;
  index: number;
  width?: number;
  /** With a router, the picker takes the keyboard while it is open and hands each of its commands to `onCommand`. */
  keys?: KeyRouter;
  onCommand?: (command: PickerCommand) => void;
}

export function BackendPicker({ choices, index, width = 80, keys, onCommand }: BackendPickerProps) {
  useModeKeys(keys, 'backend', (input, key) => {
    const command = commandIn(PICKER_BINDINGS, input, key);
    if (command) onCommand?.(command);
  });
  if (choices === null) return <Text>checking the backends… (Esc to close)</Text>;
  if (choices.length === 0)
    return (
      <Box borderStyle="round" paddingX={1} flexDirection="column">
        <Text>No backend is configured: add a backend: section to the config (see the README).</Text>
        <Text dimColor>Esc to close</Text>
      </Box>
    );
  return (
    <Box borderStyle="round" paddingX={1} flexDirection="column">
      <Text bold>Switch the chat app to…</Text>
      {choices.map((c, i) => (
        <Box key={c.name} flexDirection="column">
          <Text inverse={i === index} wrap="truncate-end">
            {i === index ? '› ' : '  '}
            {c.healthy === null ? '?' : c.healthy ? '✓' : '✗'} {c.name.padEnd(12)} {c.service ? `service ${c.service}` : 'served by the app itself'}
            {c.active ? '  (active)' : ''}
          </Text>
          {c.healthy !== true && c.reason ? (
            <Text dimColor wrap="truncate-end">
              {'      '}
              {c.reason.slice(0, Math.max(10, width - 10))}
            </Text>
          ) : null}
        </Box>
      ))}
      <Text dimColor wrap="truncate-end">{hintFor(PICKER_BINDINGS)}</Text>
    </Box>
  );
}
