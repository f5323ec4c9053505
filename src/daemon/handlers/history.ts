import type { HandlerGroup } from './context.js';

/** The services' figures over time and the marks on that time line (the page's charts). */
export const historyHandlers: HandlerGroup<'history'> = {
  history: ({ service, since }, { daemon }) => {
    if (service !== null) daemon.supervisor.resolveNames([service]); // an unknown name is an error naming the known ones
    return daemon.history.answer(service, since);
  },
};
