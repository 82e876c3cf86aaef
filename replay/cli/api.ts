/** clash api reference --url URL: the route table of doc/api.md, from a running server's OpenAPI document. */
import { z } from 'zod';
import { apiReferenceMarkdown, type OpenApiDocument } from '../api-reference.ts';
import { commonFlags, defineCommand } from './command.ts';

export const apiReference = defineCommand({
  words: ['api', 'reference'],
  usage: 'clash api reference [--url http://127.0.0.1:3000]',
  summary: "the route table (markdown) from a running server's /api/v1/openapi.json",
  options: { url: { type: 'string' } },
  schema: z.object({ ...commonFlags, url: z.url().default('http://127.0.0.1:3000'), positionals: z.array(z.string()).max(0) }),
  run: async (flags, ctx) => {
    const res = await fetch(new URL('/api/v1/openapi.json', flags.url));
    if (!res.ok) throw new Error(`${flags.url} answered ${res.status} for the OpenAPI document`);
    const doc = (await res.json()) as OpenApiDocument;
    ctx.out.data(doc);
    ctx.out.line(apiReferenceMarkdown(doc).trimEnd());
    return 0;
  },
});
