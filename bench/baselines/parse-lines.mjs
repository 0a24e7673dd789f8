#!/usr/bin/env node
// The load baseline: the least any JSONL reader must do. Reads the whole file, JSON.parses
// each non-empty line, and prints how many it parsed (the harness checks that number).
// Usage: node parse-lines.mjs FILE
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: parse-lines.mjs FILE\n');
  process.exit(2);
}
let parsed = 0;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  JSON.parse(line);
  parsed += 1;
}
process.stdout.write(`${parsed}\n`);
