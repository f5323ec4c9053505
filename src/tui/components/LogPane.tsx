import { Box, Text } from 'ink';
import { memo } from 'react';
import { highlight, sanitizeLine, visibleWindow } from '../log-view.js';

export interface LogPaneProps {
  title: string;
  /** null: the lines are drawn outside Ink (see log-region.ts), and the pane keeps their rows blank. */
  lines: string[] | null;
  height: number;
  scroll: number;
  query: string;
  focused: boolean;
  color: boolean;
}

export const LogPane = memo(function LogPane({ title, lines, height, scroll, query, focused, color }: LogPaneProps) {
  const titleRow = (
    <Text wrap="truncate-end" bold={focused} color={color && focused ? 'blue' : undefined} dimColor={!focused}>
      ── {title} {scroll > 0 ? `(scrolled ${scroll} lines up, f or End to follow) ` : ''}──
    </Text>
  );
  if (lines === null)
    return (
      <Box flexDirection="column">
        {titleRow}
        <Box height={height} />
      </Box>
    );
  const shown = visibleWindow(lines, height, scroll);
  const padding = Array.from({ length: Math.max(0, height - shown.length) }, () => '');
  return (
    <Box flexDirection="column">
      {titleRow}
      {[...shown, ...padding].map((raw, i) => {
        const line = sanitizeLine(raw) || ' ';
        return (
          <Text key={i} wrap="truncate-end">
            {highlight(line, query).map((seg, j) =>
              seg.match ? <Text key={j} inverse color={color ? 'yellow' : undefined}>{seg.text}</Text> : seg.text,
            )}
          </Text>
        );
      })}
    </Box>
  );
});
