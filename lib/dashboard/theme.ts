/** What a piece of text means on screen; each has a colour, and the text itself says the same in words or symbols. */
export type Tone = 'running' | 'ready' | 'waiting' | 'blocked' | 'closed' | 'released' | 'muted' | 'accent' | 'warning';

const COLOURS: Record<Tone, string> = {
  running: 'yellow',
  ready: 'cyan',
  waiting: 'white',
  blocked: 'red',
  closed: 'green',
  released: 'magenta',
  muted: 'gray',
  accent: 'cyan',
  warning: 'red',
};

/**
 * How panels mark up their text: blessed tags, with colour only when colour is wanted. Bold and
 * inverse are not colours, so they stay under NO_COLOR (https://no-color.org): the selected row
 * and the focused pane still show.
 */
export interface Theme {
  readonly colour: boolean;
  paint(tone: Tone, text: string): string;
  bold(text: string): string;
  inverse(text: string): string;
}

export function makeTheme(colour: boolean): Theme {
  return {
    colour,
    paint: (tone, text) => (colour && text !== '' ? `{${COLOURS[tone]}-fg}${text}{/${COLOURS[tone]}-fg}` : text),
    bold: (text) => (text === '' ? text : `{bold}${text}{/bold}`),
    inverse: (text) => (text === '' ? text : `{inverse}${text}{/inverse}`),
  };
}

/** Colour unless NO_COLOR is set to anything but the empty string. */
export function wantsColour(env: NodeJS.ProcessEnv): boolean {
  const value = env['NO_COLOR'];
  return value === undefined || value === '';
}

/** Text from outside (titles, ids, agent output) shown inside tagged content: its braces are not tags. */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (brace) => (brace === '{' ? '{open}' : '{close}'));
}
