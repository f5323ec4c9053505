import { Box, Text } from 'ink';
import { memo } from 'react';
import { formatUptime } from '../../config/durations.js';
import type { DaemonInfo } from '../../protocol/messages.js';
import { cutSegments, type Segment } from '../cut.js';

export interface HeaderProps {
  name: string;
  daemon: DaemonInfo | null;
  connection: 'connecting' | 'connected' | 'lost';
  backend: string | null;
  /** The host the TUI runs on through ssh (`--remote HOST`), named in the header. */
  remote?: string | null;
  width?: number;
}

type HostEntry = NonNullable<DaemonInfo['hosts']>[number];

/** One box of the hosts view: being dialled, up, its link dropped, or unreachable. Pure. */
export function hostText(h: HostEntry): string {
  const link = h.link ?? (h.reachable ? 'up' : h.error ? 'unreachable' : 'connecting');
  if (link === 'up') return `${h.host} ✓`;
  if (link === 'connecting') return `${h.host} connecting…`;
  if (link === 'lost') return `link to ${h.host} lost, reconnecting`;
  return `${h.host} ✗ unreachable, retrying`;
}

/** The header's daemon part. Pure. */
export function daemonText(daemon: DaemonInfo | null, connection: HeaderProps['connection'], remote: string | null = null): string {
  if (connection === 'lost') return remote ? `link to ${remote} lost, reconnecting…` : 'daemon lost, reconnecting…';
  if (connection === 'connecting' || !daemon) return remote ? `connecting to ${remote}…` : 'connecting to the daemon…';
  if (daemon.hosts) return daemon.hosts.map(hostText).join(' · ');
  return `daemon ${daemon.pid} up ${formatUptime((daemon.uptimeSeconds ?? 0) * 1000)}`;
}

const HELP = '? help';

/** One row, cut to the terminal's width: a header that wrapped would push the screen down until the next resize. */
export const Header = memo(function Header({ name, daemon, connection, backend, remote = null, width = 80 }: HeaderProps) {
  const warn = connection !== 'connected' || daemon?.hosts?.some((h) => !h.reachable) === true;
  const segments: Segment[] = [
    { text: 'llama-top', bold: true },
    { text: ` ${name}${remote ? ` on ${remote}` : ''} · ` },
    { text: daemonText(daemon, connection, remote), color: warn ? 'yellow' : undefined },
    ...(backend !== null ? [{ text: ' · backend ' }, { text: backend, bold: true }] : []),
  ];
  const room = Math.max(0, width - HELP.length - 1);
  return (
    <Box width={width}>
      <Box width={room} flexShrink={0}>
        <Text wrap="truncate-end">
          {cutSegments(segments, room).map((s, i) => (
            <Text key={i} bold={s.bold} color={s.color}>
              {s.text}
            </Text>
          ))}
        </Text>
      </Box>
      <Box flexGrow={1} justifyContent="flex-end">
        <Text dimColor>{HELP}</Text>
      </Box>
    </Box>
  );
});
