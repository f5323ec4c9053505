import { Box, Text } from 'ink';

export interface BackendChoice {
  name: string;
  service: string | null;
  healthy: boolean | null;
  active: boolean;
}

export function BackendPicker({ choices, index }: { choices: BackendChoice[]; index: number }) {
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
        <Text key={c.name} inverse={i === index}>
          {i === index ? '› ' : '  '}
          {c.healthy === null ? '?' : c.healthy ? '✓' : '✗'} {c.name.padEnd(12)} {c.service ? `service ${c.service}` : 'served by the app itself'}
          {c.active ? '  (active)' : ''}
        </Text>
      ))}
      <Text dimColor>↑↓ choose · Enter switch · Esc cancel</Text>
    </Box>
  );
}
