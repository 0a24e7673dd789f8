/** What a piece of text means on screen; each has a colour, and the text itself says the same in words or symbols. */
export type Tone = 'running' | 'ready' | 'waiting' | 'blocked' | 'closed' | 'released' | 'muted' | 'accent' | 'warning';

/**
 * The eight colours every terminal has. Waiting and muted text keep the terminal's own colour:
 * white vanishes on a light background, and gray (colour 8) becomes black on an 8-colour terminal
 * (tmux's default TERM), which vanishes on a dark one.
 */
const COLOURS: Record<Tone, string | null> = {
  running: 'yellow',
  ready: 'cyan',
  waiting: null,
  blocked: 'red',
  closed: 'green',
  released: 'magenta',
  muted: null,
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
    paint: (tone, text) => {
      const name = COLOURS[tone];
      return colour && name !== null && text !== '' ? `{${name}-fg}${text}{/${name}-fg}` : text;
    },
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
