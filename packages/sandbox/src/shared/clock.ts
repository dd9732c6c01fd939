/** The sandbox's notion of "now". Tests inject a controllable clock to move time-based scenarios forward. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
