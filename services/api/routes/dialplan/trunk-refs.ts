// How an outbound route names a trunk: the trunks table's id in decimal
// (`"3"`, what the admin UI stores: it survives a rename) or its name
// (routes written by hand). Resolved the way call-control's TrunkDirectory
// byRef does, but over every trunk of the tenant, disabled ones included: a
// route may keep a trunk that is switched off for a while.
import type { FieldProblem } from '../../../common/errors';
import type { Trunk } from '../../../store';

export function trunkByRef(trunks: readonly Trunk[], ref: string): Trunk | undefined {
  if (/^[1-9]\d*$/.test(ref)) {
    const byId = trunks.find((t) => t.id === Number(ref));
    if (byId) return byId;
  }
  return trunks.find((t) => t.name === ref);
}

/** One problem per trunk reference that names no trunk of the tenant (`routes[1].trunks[0]`). */
export function unknownTrunkProblems(routes: readonly unknown[], trunks: readonly Trunk[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  routes.forEach((raw, i) => {
    const r = (raw ?? {}) as { id?: unknown; name?: unknown; trunks?: unknown };
    if (!Array.isArray(r.trunks)) return; // the route schema names it
    const label = typeof r.name === 'string' && r.name !== '' ? r.name : typeof r.id === 'string' ? r.id : `#${i + 1}`;
    r.trunks.forEach((ref: unknown, j) => {
      if (typeof ref !== 'string' || ref === '') return;
      if (!trunkByRef(trunks, ref)) problems.push({ field: `routes[${i}].trunks[${j}]`, message: `route ${label}: no trunk ${ref} in this tenant` });
    });
  });
  return problems;
}
