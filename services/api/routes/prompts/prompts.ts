// Loading a prompt within the actor's reach (out of reach looks missing),
// and what the api answers about one: never the server's file paths.
import type { Prompt } from '../../../store';
import type { ApiDeps } from '../../context';
import { notFound } from '../../errors';
import { actorOf, type ApiContext } from '../../guard';
import { inScope } from '../../scope';

export function loadPrompt(deps: ApiDeps, ctx: ApiContext): Prompt {
  const id = Number(ctx.params.id);
  const p = Number.isInteger(id) && id > 0 ? deps.store.prompts.get(id) : undefined;
  if (!p || !inScope(actorOf(ctx).user, p.tenantId)) throw notFound('prompt', ctx.params.id ?? '');
  return p;
}

export type PromptView = Omit<Prompt, 'alawPath' | 'ulawPath'> & { previewUrl: string };

export function promptView(p: Prompt): PromptView {
  const { alawPath: _a, ulawPath: _u, ...rest } = p;
  return { ...rest, previewUrl: `/api/prompts/${p.id}/audio?v=${encodeURIComponent(p.updatedAt)}` };
}
