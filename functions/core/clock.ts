/** Time as the domain sees it: injected everywhere, so tests control it and nothing reads the wall clock itself. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

export const epochSeconds = (clock: Clock): number => Math.floor(clock() / 1000);
