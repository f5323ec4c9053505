import type { HandlerGroup } from './context.js';

/** The event journal, and notifications tried out. */
export const eventsHandlers: HandlerGroup<'journal' | 'notify-test'> = {
  journal: ({ since, limit }, { daemon }) => daemon.journal.since(since, limit ?? undefined),
  'notify-test': async ({ event }, { daemon }) => {
    const notifier = await daemon.notifications.apply(daemon.config());
    return { outcomes: await notifier.test(event, daemon.supervisor.names()) };
  },
};
