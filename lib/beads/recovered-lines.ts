import { appendRecord, parseIssuesBytes, type IssuesFile } from './issues-file.js';

/**
 * Adds lines found appended to replaced versions of the tracker (see RetiredInodes) at the end of
 * `file`, as their writer meant them to be: appended. A line `file` already holds byte for byte is
 * not added again (someone who renamed a copy over the tracker may have read it first), nor is a
 * blank one. Returns how many lines were added.
 */
export function appendRecovered(file: IssuesFile, chunks: readonly Buffer[]): number {
  if (chunks.length === 0) return 0;
  const present = new Set(file.records.map((record) => record.text));
  let added = 0;
  for (const chunk of chunks) {
    for (const record of parseIssuesBytes(chunk).records) {
      if (record.kind === 'blank' || present.has(record.text)) continue;
      present.add(record.text);
      // A line cut short when its version was closed still ends the line: the next append starts a new one.
      if (record.eol === '') record.eol = '\n';
      appendRecord(file, record);
      added++;
    }
  }
  return added;
}
