/* eslint-disable no-control-regex */
/**
 * Terminal escape sequences, whole: CSI (colours, cursor moves; also its one-byte C1 form), OSC
 * (titles, links; up to BEL or ST, or the end of the line when cut short), DCS/SOS/PM/APC strings,
 * and the short escapes (`ESC ( B`, `ESC =`, ...).
 */
export const ESCAPE_SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x9d[^\x07\x9c\n]*[\x07\x9c]?|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?|\x1b[ -/]*[0-~]/g;
/** Control characters but newline and tab: the rest of C0 (NUL, BEL, CR, a lone ESC, ...), DEL and C1. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const HAS_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
/* eslint-enable no-control-regex */

/**
 * Text as chorus writes it into the tracker: escape sequences and control characters taken out, so
 * that what an agent printed (colours, a NUL, a terminal title) reads as text in `bd show`, an
 * editor or any UI. Newlines and tabs stay. The agent's log keeps every byte.
 */
export function cleanText(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '') : text;
}
