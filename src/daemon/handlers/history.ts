import type { HandlerGroup } from './context.js';

/** The services' figures over time and the marks on that time line (the page's charts). */
export const historyHandlers: HandlerGroup<'history' | 'serve-activity'> = {
  history: ({ service, since }, { daemon }) => {
    if (service !== null) daemon.supervisor.resolveNames([service]); // an unknown name is an error naming the known ones
    return daemon.history.answer(service, since);
  },
  /** The serve endpoint's requests per minute per model, queues, cold starts and last requests. */
  'serve-activity': (_params, { daemon }) => daemon.serveActivity(),
};
