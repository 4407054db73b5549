// HAR 1.2 validation with a kept validator (ajv) and the published HAR schema (har-schema), not
// a hand-written check. The schema is draft-06 and uses a few words ajv's strict mode rejects.
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';

const require = createRequire(import.meta.url);
const schemas = require('har-schema') as Record<string, object>;

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft6);
addFormats(ajv);
for (const schema of Object.values(schemas)) ajv.addSchema(schema);
const validate = ajv.getSchema('har.json#')!;

/** The schema's complaints about `har` (empty when it is valid HAR 1.2). */
export function harErrors(har: unknown): string[] {
  if (validate(har)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
