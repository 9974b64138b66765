// Rules for an extension that need the tenant's data: forward targets that
// look like extensions must exist (in the tenant or among the rows being
// imported), the linked user must belong to the tenant. Shared by create,
// update and the CSV import so a row's error reads like the form's.
import type { FieldProblem } from '../../common/errors';
import type { ExtensionFeatures, Store } from '../../store';
import { defaultFeatures } from '../../store';
import type { CreateExtensionInput, UpdateExtensionInput } from '../routes/extensions/schema';

const FORWARD_KINDS = ['always', 'busy', 'noAnswer', 'unreachable'] as const;
/** Up to 6 digits is an internal number; longer is dialled out through a trunk. */
const isInternal = (target: string) => /^\d{2,6}$/.test(target);

export interface RuleContext {
  store: Store;
  tenantId: number;
  /** Extension numbers that exist (or will, within one import). */
  numbers: ReadonlySet<string>;
}

export function checkFeatures(c: RuleContext, self: string, input: CreateExtensionInput | UpdateExtensionInput, prefix = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const kind of FORWARD_KINDS) {
    const target = input.forward?.[kind];
    if (!target) continue;
    const field = `${prefix}forward.${kind}`;
    if (target === self) problems.push({ field, message: 'cannot forward to itself' });
    else if (isInternal(target) && !c.numbers.has(target)) problems.push({ field, message: `no extension ${target} in this tenant` });
  }
  if (input.userId != null) {
    const u = c.store.users.get(input.userId);
    if (!u || u.tenantId !== c.tenantId) problems.push({ field: `${prefix}userId`, message: 'no such user in this tenant' });
  }
  return problems;
}

/** The feature row after applying the input over what is stored. */
export function mergeFeatures(cur: ExtensionFeatures | undefined, input: CreateExtensionInput | UpdateExtensionInput): ExtensionFeatures {
  const base = cur ?? defaultFeatures();
  const f = input.forward ?? {};
  return {
    userId: input.userId !== undefined ? input.userId : base.userId,
    callerIdName: input.callerIdName ?? base.callerIdName,
    callerIdNumber: input.callerIdNumber ?? base.callerIdNumber,
    dnd: input.dnd ?? base.dnd,
    requireTls: input.requireTls ?? base.requireTls,
    forward: {
      always: f.always !== undefined ? f.always : base.forward.always,
      busy: f.busy !== undefined ? f.busy : base.forward.busy,
      noAnswer: f.noAnswer !== undefined ? f.noAnswer : base.forward.noAnswer,
      noAnswerSeconds: f.noAnswerSeconds ?? base.forward.noAnswerSeconds,
      unreachable: f.unreachable !== undefined ? f.unreachable : base.forward.unreachable,
    },
  };
}
