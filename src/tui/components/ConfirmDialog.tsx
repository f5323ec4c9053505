import { Box, Text } from 'ink';

export function ConfirmDialog({ question }: { question: string }) {
  return (
    <Box borderStyle="round" paddingX={1}>
      <Text>
        {question} <Text bold>[y/N]</Text>
      </Text>
    </Box>
  );
}
