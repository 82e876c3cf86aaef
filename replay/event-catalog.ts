/**
 * The event catalog, generated from the code so it cannot drift: every registered event type
 * with its schema version, the module whose `commands/<module>/` folder declares it, and its
 * fields (from the zod schema, as stored on disk: money as integer decimal strings).
 */
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { EventDefinition } from '../core/event-registry.ts';
import type { Composition } from '../server/composition.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CatalogEntry {
  readonly type: string;
  readonly version: number;
  readonly module: string;
  readonly file: string;
  readonly description: string | null;
  readonly fields: readonly { path: string; type: string; required: boolean; description: string | null }[];
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  description?: string;
  additionalProperties?: JsonSchema | boolean;
}

function isEventDefinition(v: unknown): v is EventDefinition {
  const d = v as Partial<EventDefinition> | null;
  return !!d && typeof d.type === 'string' && typeof d.version === 'number' && d.schema instanceof z.ZodType;
}

/** Which module declares each event definition: every `commands/<module>/**\/*events*.ts` file. */
async function declaringModules(): Promise<Map<EventDefinition, { module: string; file: string }>> {
  const found = new Map<EventDefinition, { module: string; file: string }>();
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : /events\.ts$/.test(d.name) ? [join(dir, d.name)] : []));
  for (const file of walk(join(root, 'commands'))) {
    const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const module = relative(join(root, 'commands'), file).split('/')[0] as string;
    for (const v of Object.values(exports)) if (isEventDefinition(v)) found.set(v, { module, file: relative(root, file) });
  }
  return found;
}

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return alternatives.map(typeOf).join(' \\| ');
  if (s.type === 'array') {
    const item = s.items ? typeOf(s.items) : 'unknown';
    return item.includes(' ') ? `(${item})[]` : `${item}[]`;
  }
  const base = Array.isArray(s.type) ? s.type.join(' \\| ') : (s.type ?? 'unknown');
  if (s.type === 'string' && s.pattern === '^-?(0|[1-9]\\d*)$') return 'integer string';
  if (s.type === 'string' && s.pattern === '^(0|[1-9]\\d*)$') return 'non-negative integer string';
  if (s.format) return `${base} (${s.format})`;
  return base;
}

function fieldsOf(s: JsonSchema, prefix = ''): CatalogEntry['fields'] {
  const out: { path: string; type: string; required: boolean; description: string | null }[] = [];
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const path = prefix + name;
    out.push({ path, type: typeOf(prop), required: (s.required ?? []).includes(name), description: prop.description ?? null });
    if (prop.properties) out.push(...fieldsOf(prop, `${path}.`));
    if (prop.items?.properties) out.push(...fieldsOf(prop.items, `${path}[].`));
  }
  return out;
}

export async function buildCatalog(composition: Composition): Promise<CatalogEntry[]> {
  const modules = await declaringModules();
  return composition.events
    .map((d) => {
      const where = modules.get(d);
      const schema = z.toJSONSchema(d.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
      return {
        type: d.type,
        version: d.version,
        module: where?.module ?? '(unknown)',
        file: where?.file ?? '(not declared under commands/)',
        description: schema.description ?? null,
        fields: fieldsOf(schema),
      };
    })
    .sort((a, b) => (a.module === b.module ? (a.type < b.type ? -1 : 1) : a.module < b.module ? -1 : 1));
}

export function catalogMarkdown(entries: readonly CatalogEntry[]): string {
  const lines = [
    '# Event catalog',
    '',
    'Generated from the code by `npm run -s clash -- events catalog > doc/event-catalog.md`; a test fails when it is out of date.',
    'Each event is emitted only by the module that declares it (a module never appends to another module’s streams).',
    'Field types are the stored JSON: money and other big integers are integer decimal strings in base units',
    '(micro-USD for USD amounts, wei for ETH), times are integer milliseconds since the epoch.',
    '',
  ];
  let module = '';
  for (const e of entries) {
    if (e.module !== module) {
      module = e.module;
      lines.push(`## ${module}`, '');
    }
    lines.push(`### ${e.type} (v${e.version})`, '', `Declared in \`${e.file}\`.${e.description ? ` ${e.description}` : ''}`, '');
    lines.push('| field | type | required |', '|---|---|---|');
    for (const f of e.fields)
      lines.push(`| \`${f.path}\` | ${f.type} | ${f.required ? 'yes' : 'no'}${f.description ? ` — ${f.description}` : ''} |`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
