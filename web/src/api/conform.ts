// Holds every response to the shape the server's OpenAPI schema declares for it (the schema
// that schema.d.ts is generated from), so the typed client's types are true at run time and
// the UI never crashes on an odd field. A value that does not fit is dropped where the schema
// allows it (a list entry, an optional or nullable field) and rejects the whole response
// where it does not: the screen then says the call failed instead of showing half a thing.
import { components, paths } from '../../openapi.json';
import { isObject } from './decode';

interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  anyOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
}

const MISFIT = Symbol('misfit');
type Fitted = unknown;

const schemas = components.schemas as unknown as Record<string, Schema>;

function resolve(schema: Schema): Schema {
  const name = schema.$ref?.replace('#/components/schemas/', '');
  return name ? (schemas[name] ?? {}) : schema;
}

/** `value` as `schema` describes it, or MISFIT. */
export function fit(value: unknown, given: Schema): Fitted | typeof MISFIT {
  const schema = resolve(given);
  if (schema.anyOf) {
    for (const option of schema.anyOf) {
      const fitted = fit(value, option);
      if (fitted !== MISFIT) return fitted;
    }
    return schema.anyOf.some((o) => o.type === 'null') ? null : MISFIT;
  }
  if (schema.enum && !schema.enum.includes(value)) return MISFIT;
  switch (schema.type) {
    case 'null':
      return value === null ? null : MISFIT;
    case 'string':
      return typeof value === 'string' ? value : MISFIT;
    case 'integer':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : MISFIT;
    case 'boolean':
      return typeof value === 'boolean' ? value : MISFIT;
    case 'array': {
      if (!Array.isArray(value)) return MISFIT;
      const items = schema.items ?? {};
      return value.map((item) => fit(item, items)).filter((item) => item !== MISFIT);
    }
    case 'object':
      return isObject(value) ? fitObject(value, schema) : MISFIT;
    default:
      return value === undefined ? MISFIT : value;
  }
}

function fitObject(value: Record<string, unknown>, schema: Schema): Fitted | typeof MISFIT {
  const out: Record<string, unknown> = {};
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  for (const [key, property] of Object.entries(properties)) {
    if (!(key in value)) {
      if (required.has(key)) return MISFIT;
      continue;
    }
    const fitted = fit(value[key], property);
    if (fitted !== MISFIT) out[key] = fitted;
    else if (required.has(key)) return MISFIT;
  }
  const extra = schema.additionalProperties;
  if (extra) {
    for (const [key, item] of Object.entries(value)) {
      if (key in properties) continue;
      const fitted = extra === true ? item : fit(item, extra);
      if (fitted !== MISFIT) out[key] = fitted;
    }
  }
  return out;
}

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> };

/** The schema of the JSON body `method path` answers with `status`, if the server declares one. */
export function responseSchema(path: string, method: string, status: number): Schema | undefined {
  const operations = (paths as unknown as Record<string, Record<string, Operation>>)[path];
  return operations?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
}

/** A response whose body does not fit its schema (shown as an unexpected error). */
export class MisfitResponse extends Error {
  constructor(readonly path: string) {
    super(`The response of ${path} does not fit its schema.`);
    this.name = 'MisfitResponse';
  }
}

/** A successful JSON body held to its schema; throws MisfitResponse when it does not fit. */
export function conform(body: unknown, path: string, method: string, status: number): unknown {
  const schema = responseSchema(path, method, status);
  if (!schema) return body;
  const fitted = fit(body, schema);
  if (fitted === MISFIT) throw new MisfitResponse(path);
  return fitted;
}

/** openapi-fetch middleware that conforms every successful JSON response. */
export const conformResponses = {
  async onResponse({ request, response, schemaPath }: { request: Request; response: Response; schemaPath: string }) {
    if (!response.ok || !response.headers.get('Content-Type')?.includes('json')) return undefined;
    const text = await response.clone().text();
    if (!text) return undefined;
    const body = conform(JSON.parse(text), schemaPath, request.method, response.status);
    return new Response(JSON.stringify(body), { status: response.status, statusText: response.statusText, headers: response.headers });
  },
};
