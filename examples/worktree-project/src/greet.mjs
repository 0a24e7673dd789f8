import { GREETING } from './config.mjs';

export function greet(name) {
  return `${GREETING}, ${name}!`;
}
