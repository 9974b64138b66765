// A SIM as the api receives it (form or CSV row) checked against the rules
// and the store: ICCID check digit, a Russian mobile number, the gateway and
// port of this tenant with no other SIM in the port, an extension of this
// tenant with no other SIM. Every problem names its field.
import type { FieldProblem } from '../../common/errors';
import { simProblems, type SimOperator, type SimState } from '../../fmc';
import type { MobileRingMode, SimRecord, Store } from '../../store';

export interface SimDraft {
  iccid: string;
  msisdn: string;
  operator: SimOperator;
  state?: SimState | undefined;
  gatewayId?: number | null | undefined;
  port?: number | null | undefined;
  extension?: string | null | undefined;
  userRegistered?: boolean | undefined;
  contract?: string | undefined;
  monthlyMinuteLimit?: number | undefined;
  ringMode?: MobileRingMode | undefined;
  ringDelay?: number | undefined;
}

export type SimCheck = { ok: true; record: SimRecord } | { ok: false; problems: FieldProblem[] };

/** `selfId`: the SIM being changed (its own bindings are not a conflict). */
export function checkSim(store: Store, tenantId: number, d: SimDraft, opts: { selfId?: number; prefix?: string } = {}): SimCheck {
  const pre = opts.prefix ?? '';
  const { problems, iccid, msisdn } = simProblems({ iccid: d.iccid, msisdn: d.msisdn, ...(d.contract !== undefined ? { contract: d.contract } : {}), ...(d.monthlyMinuteLimit !== undefined ? { monthlyMinuteLimit: d.monthlyMinuteLimit } : {}) }, pre);
  const other = (s: { id: number } | undefined) => s !== undefined && s.id !== opts.selfId;
  if (iccid && other(store.sims.byIccid(iccid))) problems.push({ field: `${pre}iccid`, message: 'a SIM with this ICCID is already listed' });
  if (msisdn && other(store.sims.byMsisdn(msisdn))) problems.push({ field: `${pre}msisdn`, message: 'a SIM with this number is already listed' });

  const gatewayId = d.gatewayId ?? null;
  const port = d.port ?? null;
  if (gatewayId !== null) {
    const gw = store.gateways.get(gatewayId);
    if (!gw || gw.tenantId !== tenantId) problems.push({ field: `${pre}gatewayId`, message: 'no such gateway in this organisation' });
    else if (gw.config.mode === 'operator') {
      if (port !== null) problems.push({ field: `${pre}port`, message: 'an operator FMC trunk has no ports: leave empty' });
    } else if (port === null) problems.push({ field: `${pre}port`, message: `required: the gateway's port 1–${gw.config.ports.length}` });
    else if (!gw.config.ports.some((p) => p.port === port)) problems.push({ field: `${pre}port`, message: `must be 1–${gw.config.ports.length}` });
    else if (other(store.sims.byPort(gatewayId, port))) problems.push({ field: `${pre}port`, message: `another SIM sits in port ${port}` });
  } else if (port !== null) problems.push({ field: `${pre}port`, message: 'choose the gateway first' });

  let extensionId: number | null = null;
  if (d.extension) {
    const ext = store.extensions.get(tenantId, d.extension);
    if (!ext) problems.push({ field: `${pre}extension`, message: `no extension ${d.extension} in this organisation` });
    else if (other(store.sims.byExtension(ext.id))) problems.push({ field: `${pre}extension`, message: `extension ${d.extension} already has a SIM (${store.sims.byExtension(ext.id)!.msisdn})` });
    else extensionId = ext.id;
  }
  if (problems.length || !iccid || !msisdn) return { ok: false, problems };
  return {
    ok: true,
    record: {
      iccid,
      msisdn,
      operator: d.operator,
      state: d.state ?? 'active',
      gatewayId,
      port,
      extensionId,
      userRegistered: d.userRegistered ?? false,
      contract: d.contract ?? '',
      monthlyMinuteLimit: d.monthlyMinuteLimit ?? 0,
      ringMode: d.ringMode ?? 'off',
      ringDelay: d.ringDelay ?? 10,
    },
  };
}
