import { Box, Text } from 'ink';
import { commandIn, CONFIRM_BINDINGS } from '../keymap.js';
import { useModeKeys, type KeyRouter } from '../hooks/use-keys.js';

export interface ConfirmDialogProps {
  question: string;
  /** With a router, the dialog takes the keyboard while it is open: y answers yes, any other key no. */
  keys?: KeyRouter;
  onAnswer?: (yes: boolean) => void;
}

export function ConfirmDialog({ question, keys, onAnswer }: ConfirmDialogProps) {
  useModeKeys(keys, 'confirm', (input, key) => onAnswer?.(commandIn(CONFIRM_BINDINGS, input, key) === 'yes'));
  return (
    <Box borderStyle="round" paddingX={1}>
      <Text>
        {question} <Text bold>[y/N]</Text>
      </Text>
    </Box>
  );
}
