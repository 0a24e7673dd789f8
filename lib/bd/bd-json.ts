/**
 * bd prints JSON in three shapes (`cmd/bd/output.go`): a bare array; an object with
 * `schema_version` added; and, with BD_JSON_ENVELOPE=1 (planned as a later default), every
 * payload wrapped as `{"data": ..., "schema_version": 1}`. Some errors print `{"error": ...}`
 * on stdout. This returns the payload, whichever shape it came in.
 */
export type BdPayload = { ok: true; data: unknown } | { ok: false; error: string };

export function parseBdJson(stdout: string): BdPayload {
  const text = stdout.trim();
  if (text === '') return { ok: true, data: null };
  const parsed: unknown = JSON.parse(text);
  if (isObject(parsed)) {
    if (typeof parsed['error'] === 'string' && !('id' in parsed)) return { ok: false, error: parsed['error'] };
    if ('data' in parsed && 'schema_version' in parsed && Object.keys(parsed).length === 2) {
      const data = parsed['data'];
      if (isObject(data) && typeof data['error'] === 'string' && !('id' in data)) return { ok: false, error: data['error'] };
      return { ok: true, data };
    }
  }
  return { ok: true, data: parsed };
}

/** A payload that should be a list of issues (list, show, update, close): an array, or one object. */
export function issuesOf(data: unknown): Record<string, unknown>[] {
  if (Array.isArray(data)) return data.filter(isObject);
  if (isObject(data)) return [withoutSchemaVersion(data)];
  return [];
}

function withoutSchemaVersion(object: Record<string, unknown>): Record<string, unknown> {
  if (!('schema_version' in object)) return object;
  const { schema_version: _ignored, ...rest } = object;
  return rest;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
