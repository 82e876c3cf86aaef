/** The owner's clone routes: create and list clones, profile, model tier, private draft, versions. */
import { createRoute, z } from '@hono/zod-openapi';
import { zGraphLayout, zStrategyGraph, zStrategyGraphInput } from '../../commands/clones/graph/schema.ts';
import { zCloneNameInput, zProfileInput } from '../../commands/clones/inputs.ts';
import { zModelStrength } from '../../commands/entitlements/tiers.ts';
import { ClashError } from '../../core/errors.ts';
import { type CloneSummary, clonesOf, draftOf } from '../../projections/clones/clones.ts';
import { lifecycleOf } from '../../projections/clones/lifecycle.ts';
import { type LifecycleState, lifecycleStates } from '../../projections/clones/lifecycle-state.ts';
import { versionOf, versionsOf } from '../../projections/clones/versions.ts';
import { requireUser } from '../auth.ts';
import { cloneCommandsOf } from '../clones.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, ownedClone } from './clone-access.ts';
import { errorsOf, iso, json, zTime } from './schemas.ts';

const CloneSchema = z
  .object({
    id: z.string(),
    ownerUserId: z.string(),
    name: z.string(),
    modelTier: zModelStrength,
    createdAt: zTime,
    activeVersion: z.number().int().nullable(),
    lifecycleState: z.enum(lifecycleStates),
  })
  .openapi('Clone');
const CreateBody = z.object({ name: zCloneNameInput, modelTier: zModelStrength }).strict().openapi('CreateClone');
const ModelBody = z.object({ modelTier: zModelStrength }).strict().openapi('CloneModel');
const DraftBody = z.object({ graph: zStrategyGraphInput, layout: zGraphLayout }).strict().openapi('StrategyDraftInput');
const DraftSchema = z
  .object({
    graph: zStrategyGraph,
    layout: zGraphLayout,
    revision: z.number().int().openapi({ description: '0 before the first save' }),
    savedAt: zTime.nullable(),
  })
  .openapi('StrategyDraft');
const VersionSchema = z
  .object({
    versionId: z.string(),
    number: z.number().int(),
    contentHash: z.string(),
    modelTier: zModelStrength,
    draftRevision: z.number().int(),
    publishedAt: zTime,
    active: z.boolean(),
  })
  .openapi('StrategyVersion');
const VersionParams = CloneParams.extend({
  number: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'number', in: 'path' } }),
});

const owner = errorsOf(401, 403, 404);
const routes = {
  create: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones',
    tags: ['clones'],
    summary: 'Create a clone shell',
    request: { body: { content: json(CreateBody), required: true } },
    responses: { 201: { description: 'Created', content: json(CloneSchema) }, ...errorsOf(400, 401, 403) },
  }),
  list: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones',
    tags: ['clones'],
    summary: "The caller's clones",
    responses: { 200: { description: 'Clones', content: json(z.object({ clones: z.array(CloneSchema) })) }, ...errorsOf(401, 403) },
  }),
  get: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}',
    tags: ['clones'],
    summary: 'One of the caller’s clones',
    request: { params: CloneParams },
    responses: { 200: { description: 'The clone', content: json(CloneSchema) }, ...owner },
  }),
  model: createRoute({
    method: 'put',
    ...secured('user'),
    path: '/api/v1/clones/{id}/model',
    tags: ['clones'],
    summary: 'Change the model tier (within the entitlement)',
    request: { params: CloneParams, body: { content: json(ModelBody), required: true } },
    responses: { 204: { description: 'Changed' }, ...errorsOf(400, 401, 403, 404, 422) },
  }),
  getDraft: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/draft',
    tags: ['clones'],
    summary: 'The private strategy draft',
    request: { params: CloneParams },
    responses: { 200: { description: 'The draft', content: json(DraftSchema) }, ...owner },
  }),
  saveDraft: createRoute({
    method: 'put',
    ...secured('user'),
    path: '/api/v1/clones/{id}/draft',
    tags: ['clones'],
    summary: 'Save the private strategy draft (validated and compiled)',
    request: { params: CloneParams, body: { content: json(DraftBody), required: true } },
    responses: {
      200: { description: 'Saved', content: json(DraftSchema) },
      ...errorsOf(400, 401, 403, 404, 422),
    },
  }),
  publish: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/versions',
    tags: ['clones'],
    summary: 'Publish the draft as the next immutable version (it becomes the active one)',
    request: { params: CloneParams },
    responses: { 201: { description: 'Published', content: json(VersionSchema) }, ...errorsOf(401, 403, 404, 409, 422) },
  }),
  versions: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/versions',
    tags: ['clones'],
    summary: 'Published versions, oldest first',
    request: { params: CloneParams },
    responses: { 200: { description: 'Versions', content: json(z.object({ versions: z.array(VersionSchema) })) }, ...owner },
  }),
  version: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/versions/{number}',
    tags: ['clones'],
    summary: 'One version with its frozen graph',
    request: { params: VersionParams },
    responses: {
      200: {
        description: 'The version',
        content: json(z.object({ ...VersionSchema.shape, graph: zStrategyGraph }).openapi('StrategyVersionWithGraph')),
      },
      ...owner,
    },
  }),
};

/** The profile route: http avatars are accepted in development only (`zProfileInput`). */
const profileRoute = (allowHttp: boolean) =>
  createRoute({
    method: 'put',
    ...secured('user'),
    path: '/api/v1/clones/{id}/profile',
    tags: ['clones'],
    summary: 'Set the public profile',
    request: {
      params: CloneParams,
      body: { content: json(zProfileInput({ allowHttp }).openapi('CloneProfileInput')), required: true },
    },
    responses: { 204: { description: 'Saved' }, ...errorsOf(400, 401, 403, 404) },
  });

export const cloneRoutes: RouteModule = (app, { ledger, config }) => {
  const db = ledger.store.db;
  const clones = cloneCommandsOf(ledger, config);
  const view = (c: CloneSummary) => ({
    ...c,
    createdAt: iso(c.createdAt),
    lifecycleState: lifecycleOf(db, c.id) ?? ('setup_required' satisfies LifecycleState),
  });
  const draftView = (cloneId: string) => {
    const d = draftOf(db, cloneId);
    if (!d) throw new Error(`draft of ${cloneId} missing from the read model`);
    return { ...d, savedAt: d.savedAt === null ? null : iso(d.savedAt) };
  };
  const versionView = <V extends { publishedAt: number }>(v: V): Omit<V, 'publishedAt'> & { publishedAt: string } => ({
    ...v,
    publishedAt: iso(v.publishedAt),
  });

  app.openapi(routes.create, (c) => {
    const user = requireUser(c.get('principal'));
    const { name, modelTier } = c.req.valid('json');
    const id = clones.create(user.userId, name, modelTier);
    return c.json(view(ownedClone(db, id, user)), 201);
  });
  app.openapi(routes.list, (c) => c.json({ clones: clonesOf(db, requireUser(c.get('principal')).userId).map(view) }, 200));
  app.openapi(routes.get, (c) => c.json(view(ownedClone(db, c.req.valid('param').id, c.get('principal'))), 200));
  app.openapi(profileRoute(config.NODE_ENV === 'development'), (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    clones.updateProfile(clone.id, clone.ownerUserId, c.req.valid('json'));
    return c.body(null, 204);
  });
  app.openapi(routes.model, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    clones.changeModel(clone.id, clone.ownerUserId, c.req.valid('json').modelTier);
    return c.body(null, 204);
  });
  app.openapi(routes.getDraft, (c) => c.json(draftView(ownedClone(db, c.req.valid('param').id, c.get('principal')).id), 200));
  app.openapi(routes.saveDraft, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    const { graph, layout } = c.req.valid('json');
    clones.saveDraft(clone.id, clone.ownerUserId, graph, layout);
    return c.json(draftView(clone.id), 200);
  });
  app.openapi(routes.publish, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    clones.publish(clone.id, clone.ownerUserId);
    const latest = versionsOf(db, clone.id).at(-1);
    if (!latest) throw new Error(`version of ${clone.id} missing from the read model`);
    return c.json(versionView(latest), 201);
  });
  app.openapi(routes.versions, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    return c.json({ versions: versionsOf(db, clone.id).map(versionView) }, 200);
  });
  app.openapi(routes.version, (c) => {
    const { id, number } = c.req.valid('param');
    const clone = ownedClone(db, id, c.get('principal'));
    const v = versionOf(db, clone.id, number);
    if (!v) throw new ClashError('version_not_found', 'not_found', `clone ${id} has no version ${number}`);
    return c.json(versionView(v), 200);
  });
};
