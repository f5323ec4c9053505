import { useInput, type Key } from 'ink';
import { useEffect, useRef } from 'react';
import type { Mode } from '../state.js';

/** Which mode has the keyboard now (read when a key arrives), and the keys a mode change left for the next mode. */
export interface KeyRouter {
  mode(): Mode;
  carry: { rest: KeyPress[] };
}

export interface KeyPress {
  input: string;
  key: Key;
}

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

/** One character of a burst, as Ink would have parsed it alone. Pure. */
export function keyOf(c: string): Key {
  return { ...NO_KEY, tab: c === '\t', return: c === '\r', backspace: c === '\x7f' || c === '\b', shift: /[A-Z]/.test(c) };
}

/**
 * The keys of one mode (an overlay, the search prompt, the main screen), through Ink's `useInput(…, { isActive })`.
 * Keys typed quickly (or over a slow link) arrive in one read ("Ky"): they are handled one by one, and those after a
 * key that hands the keyboard to another mode (K opens the question) are passed on to that mode once it is active.
 */
export function useModeKeys(router: KeyRouter | undefined, mode: Mode, onKey: (input: string, key: Key) => void): void {
  const active = router !== undefined && router.mode() === mode;
  const handler = useRef(onKey);
  handler.current = onKey;
  const feed = (input: string, key: Key) => {
    if (!router) return;
    // An escape sequence (an arrow, PgUp) is one key; plain characters read together are one key each.
    const units: KeyPress[] = input.length <= 1 || input.startsWith('\x1b') ? [{ input, key }] : [...input].map((c) => ({ input: c, key: keyOf(c) }));
    for (let i = 0; i < units.length; i++) {
      if (router.mode() !== mode) {
        // Not ours any more (the key before changed the mode, and the screen has not caught up): the next mode's.
        router.carry.rest.push(...units.slice(i));
        return;
      }
      handler.current(units[i]!.input, units[i]!.key);
    }
  };
  useInput(feed, { isActive: active });
  useEffect(() => {
    if (!active || !router?.carry.rest.length) return;
    for (const unit of router.carry.rest.splice(0)) feed(unit.input, unit.key);
  }, [active]);
}
