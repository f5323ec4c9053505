import { Box, Text } from 'ink';
import { memo } from 'react';
import { formatBytes, formatUptime } from '../../config/durations.js';
import { GLYPH, retryCountdown, serveNote, stateLabel } from '../../commands/format-status.js';
import { serverKind } from '../../kinds/index.js';
import type { ServiceStatus } from '../../protocol/messages.js';
import { splitQualified } from '../../client/hosts-api.js';

const COLOR: Record<string, string> = {
  ready: 'green', starting: 'yellow', unhealthy: 'magenta', crashed: 'red', draining: 'yellow', stopping: 'yellow', stopped: 'gray', error: 'red', external: 'cyan',
};

/** `minTerminal`: the column shows only on terminals at least that wide (the port is static; live figures win). */
const COLUMNS = [
  { title: 'SERVICE', width: 11, minTerminal: 0 },
  { title: 'STATE', width: 17, minTerminal: 0 },
  { title: 'PID', width: 7, minTerminal: 0 },
  { title: 'CPU', width: 5, minTerminal: 0 },
  { title: 'MEM', width: 6, minTerminal: 0 },
  { title: 'UPTIME', width: 7, minTerminal: 0 },
  { title: '↻', width: 3, minTerminal: 0 },
  { title: 'PORT', width: 6, minTerminal: 96 },
  { title: 'MODEL · LLM', width: 0, minTerminal: 0 },
] as const;

const cell = (text: string, width: number) => (width === 0 ? text : text.length >= width ? `${text.slice(0, width - 1)} ` : text.padEnd(width));

/**
 * A stop reason split for narrow columns: the STATE column's part (`swapped out for beta` → `swapped`, `idle 10m
 * (keep_alive)` → `idle 10m`) and the rest, which leads the LLM column (`for beta`, `set by keep_alive`). Pure.
 */
export function splitStopReason(reason: string): { short: string; rest: string } {
  const swapped = /^swapped out (for .+)$/.exec(reason);
  if (swapped) return { short: 'swapped', rest: swapped[1]! };
  const kept = /^(.*) \(keep_alive\)$/.exec(reason);
  if (kept) return { short: kept[1]!, rest: 'set by keep_alive' };
  return { short: reason, rest: '' };
}

/** The state in at most 17 columns (19 for `stopped · idle 10m`): the glyph already says "crashed". */
function shortState(s: ServiceStatus, now: number): string {
  if (s.state === 'stopped' && s.stopReason) return `stopped · ${splitStopReason(s.stopReason).short}`;
  return retryCountdown(s, now) ?? stateLabel(s, now);
}

/** What the server is doing, then its model ("42 tok/s 1/4 busy tiny.gguf"), as its kind tells: at 80 columns the model is what gets cut. */
function llmCell(s: ServiceStatus, now: number, all: ServiceStatus[]): string {
  // The rest of a stop reason the STATE column shows short (`for beta`), then the serve endpoint's word
  // (`2 waiting for beta`, `idle stop in 4m`): it says what happens next.
  const reason = s.state === 'stopped' && s.stopReason ? splitStopReason(s.stopReason).rest : '';
  return [reason, serveNote(s, all, now), serverKind(s.kind)?.summary(s, now, true) ?? ''].filter(Boolean).join(' · ');
}

export function serviceCells(s: ServiceStatus, now: number, all: ServiceStatus[] = [s]): string[] {
  return [
    s.name,
    shortState(s, now),
    s.pid === null ? '-' : String(s.pid),
    s.cpuPercent === null ? '-' : `${s.cpuPercent.toFixed(0)}%`,
    s.memoryBytes === null ? '-' : formatBytes(s.memoryBytes),
    s.uptimeSeconds === null ? '-' : formatUptime(s.uptimeSeconds * 1000),
    String(s.restarts),
    s.port === null ? '-' : String(s.port),
    llmCell(s, now, all),
  ];
}

export interface ServiceListProps {
  services: ServiceStatus[];
  selected: number;
  maxRows: number;
  now: number;
  color: boolean;
  width?: number;
}

/** A row of the list: a host's title (several hosts only) or a service. Pure. */
export type ListEntry = { type: 'host'; box: string } | { type: 'service'; index: number };

/** The services, with a title row before each host's group when rows come from several hosts. Pure. */
export function listEntries(services: ServiceStatus[]): ListEntry[] {
  const entries: ListEntry[] = [];
  services.forEach((s, index) => {
    if (s.box !== undefined && (index === 0 || services[index - 1]!.box !== s.box)) entries.push({ type: 'host', box: s.box });
    entries.push({ type: 'service', index });
  });
  return entries;
}

/** The name a row shows: without its host, which its group title says. */
const shownName = (s: ServiceStatus) => (s.box === undefined ? s.name : splitQualified(s.name).name || 'link');

export const ServiceList = memo(function ServiceList({ services, selected, maxRows, now, color, width = 100 }: ServiceListProps) {
  const entries = listEntries(services);
  const at = Math.max(0, entries.findIndex((e) => e.type === 'service' && e.index === selected));
  // Keep the selected row in view, and its host's title with it when there is room.
  const first = Math.max(0, Math.min(at - maxRows + 1, entries.length - maxRows));
  const shown = entries.slice(first, first + maxRows);
  const visible = COLUMNS.map((c) => width >= c.minTerminal);
  // "draining (2 in flight)", "stopped · idle 10m": the STATE column widens while a row needs it (up to 24).
  const stateWidth = Math.min(24, Math.max(COLUMNS[1].width, ...shown.map((e) => (e.type === 'service' ? shortState(services[e.index]!, now).length + 1 : 0))));
  const widthOf = (i: number) => (i === 1 ? stateWidth : COLUMNS[i]!.width);
  const rest = (cells: string[]) => cells.map((c, j) => (visible[j + 2] ? cell(c, widthOf(j + 2)) : '')).join('');
  return (
    <Box flexDirection="column">
      <Text dimColor wrap="truncate-end">{'   ' + COLUMNS.map((c, i) => (visible[i] ? cell(c.title, widthOf(i)) : '')).join('')}</Text>
      {shown.map((entry) => {
        if (entry.type === 'host')
          return (
            <Text key={`host:${entry.box}`} bold wrap="truncate-end" color={color ? 'blue' : undefined}>
              {`  ${entry.box}`}
            </Text>
          );
        const s = services[entry.index]!;
        const style = { glyph: GLYPH[s.state] ?? '?', color: COLOR[s.state] ?? 'white' };
        const isSelected = entry.index === selected;
        const cells = serviceCells(s, now, services);
        return (
          <Text key={s.name} wrap="truncate-end" inverse={isSelected && !color} bold={isSelected}>
            {isSelected ? '›' : ' '} <Text color={color ? style.color : undefined}>{style.glyph}</Text> {cell(shownName(s), COLUMNS[0].width)}
            <Text color={color ? style.color : undefined}>{cell(cells[1]!, stateWidth)}</Text>
            {rest(cells.slice(2))}
          </Text>
        );
      })}
    </Box>
  );
});
