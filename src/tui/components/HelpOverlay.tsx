import { Box, Text } from 'ink';
import { BINDINGS } from '../keymap.js';

export function HelpOverlay() {
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>llama-top keys</Text>
      {BINDINGS.filter((b) => b.keys).map((b) => (
        <Text key={b.command}>
          {b.keys.padEnd(11)} {b.help}
        </Text>
      ))}
      <Text dimColor>q leaves every service running; a daemon keeps them alive. Press any key to close.</Text>
    </Box>
  );
}
