import { Box, Text } from 'ink';
import { memo } from 'react';
import { formatDuration } from '../../config/durations.js';
import type { DaemonInfo } from '../../protocol/messages.js';

export interface HeaderProps {
  name: string;
  daemon: DaemonInfo | null;
  connection: 'connecting' | 'connected' | 'lost';
  backend: string | null;
}

export const Header = memo(function Header({ name, daemon, connection, backend }: HeaderProps) {
  const daemonText =
    connection === 'lost' ? 'daemon lost, reconnecting…'
    : connection === 'connecting' || !daemon ? 'connecting to the daemon…'
    : daemon.hosts ? daemon.hosts.map((h) => `${h.host} ${h.reachable ? '✓' : '✗ unreachable, retrying'}`).join(' · ')
    : `daemon ${daemon.pid} up ${formatDuration((daemon.uptimeSeconds ?? 0) * 1000)}`;
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate-end">
        <Text bold>llama-top</Text> {name} · <Text color={connection === 'connected' ? undefined : 'yellow'}>{daemonText}</Text>
        {backend !== null ? <Text> · backend <Text bold>{backend}</Text></Text> : null}
      </Text>
      <Text dimColor>? help</Text>
    </Box>
  );
});
