/**
 * The route table of doc/api.md, generated from the OpenAPI document the server serves, so
 * the reference cannot drift from the routes: method, path, summary and the statuses each
 * route documents, grouped by tag.
 */
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, { description?: string }>;
}

export interface OpenApiDocument {
  paths?: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A route without a summary is described by its success response. */
function successDescription(op: Operation): string | undefined {
  const ok = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith('2'));
  return ok?.[1].description;
}

export function apiReferenceMarkdown(doc: OpenApiDocument): string {
  const rows: { tag: string; method: string; path: string; summary: string; statuses: string }[] = [];
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = operations[method];
      if (!op) continue;
      rows.push({
        tag: op.tags?.[0] ?? 'other',
        method: method.toUpperCase(),
        path: path.replaceAll(/\{(\w+)\}/g, ':$1'),
        summary: (op.summary ?? op.description ?? successDescription(op) ?? '').replaceAll('|', '\\|'),
        statuses: Object.keys(op.responses ?? {})
          .sort()
          .join(', '),
      });
    }
  }
  rows.sort((a, b) =>
    a.tag === b.tag ? (a.path === b.path ? (a.method < b.method ? -1 : 1) : a.path < b.path ? -1 : 1) : a.tag < b.tag ? -1 : 1,
  );
  const lines: string[] = [];
  let tag = '';
  for (const r of rows) {
    if (r.tag !== tag) {
      tag = r.tag;
      lines.push('', `### ${tag}`, '', '| method | path | what | statuses |', '|---|---|---|---|');
    }
    lines.push(`| ${r.method} | \`${r.path}\` | ${r.summary} | ${r.statuses} |`);
  }
  return `${lines.join('\n').trim()}\n`;
}
