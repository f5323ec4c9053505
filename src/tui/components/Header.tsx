import { Box, Text } from 'ink';
import { memo } from 'react';
import { formatUptime } from '../../config/durations.js';
import type { DaemonInfo } from '../../protocol/messages.js';

export interface HeaderProps {
  name: string;
  daemon: DaemonInfo | null;
  connection: 'connecting' | 'connected' | 'lost';
  backend: string | null;
}

/** The header's daemon part. Pure. */
export function daemonText(daemon: DaemonInfo | null, connection: HeaderProps['connection']): string {
  return (
    connection === 'lost' ? 'daemon lost, reconnecting…'
    : connection === 'connecting' || !daemon ? 'connecting to the daemon…'
    : daemon.hosts ? daemon.hosts.map((h) => `${h.host} ${h.reachable ? '✓' : '✗ unreachable, retrying'}`).join(' · ')
    : `daemon ${daemon.pid} up ${formatUptime((daemon.uptimeSeconds ?? 0) * 1000)}`
  );
}

export const Header = memo(function Header({ name, daemon, connection, backend }: HeaderProps) {
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate-end">
        <Text bold>llama-top</Text> {name} · <Text color={connection === 'connected' ? undefined : 'yellow'}>{daemonText(daemon, connection)}</Text>
        {backend !== null ? <Text> · backend <Text bold>{backend}</Text></Text> : null}
      </Text>
      <Text dimColor>? help</Text>
    </Box>
  );
});
