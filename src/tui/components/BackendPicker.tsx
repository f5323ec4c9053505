import { Box, Text } from 'ink';

export interface BackendChoice {
  name: string;
  service: string | null;
  healthy: boolean | null;
  active: boolean;
  /** Why it is ✗ (or what is unknown about it), shown under it. */
  reason: string | null;
}

export function BackendPicker({ choices, index, width = 80 }: { choices: BackendChoice[]; index: number; width?: number }) {
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
      <Text dimColor>↑↓ choose · Enter switch · Esc cancel</Text>
    </Box>
  );
}
