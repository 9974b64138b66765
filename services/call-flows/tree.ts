// The call-flow view: the tree of destinations a number's calls can reach,
// each edge labelled with the field that leads there. An object met again
// further down is shown once and then as a reference, so loops and shared
// menus end the branch instead of repeating it.
import { describeDestination, featureNames, type Destination } from './destination';
import { edgesOf, lookup, type FlowConfig } from './graph';
import { canonicalNumber } from './numbers';
import type { QueueConfig } from './queue';
import type { RingGroupConfig } from './ring-group';
import type { ScheduleConfig } from './schedule';
import type { IvrMenuConfig } from './ivr';

export interface FlowNode {
  kind:
    | 'did'
    | 'main'
    | 'extension'
    | 'external'
    | 'hangup'
    | 'ring-group'
    | 'ivr'
    | 'schedule'
    | 'announcement'
    | 'queue'
    | 'voicemail'
    | 'fmc';
  id?: number;
  name: string;
  /** A short line under the name: strategy and members, time zone, keys. */
  detail?: string;
  /** Shown above already: not expanded again. */
  ref?: boolean;
  /** Points at nothing: the object is gone. */
  missing?: boolean;
  children: FlowEdge[];
}

export interface FlowEdge {
  /** The field that leads to the child: `options[1].destination`, `closed`. */
  field: string;
  /** A short label: the key `1`, the branch name, `overflow`. */
  label: string;
  node: FlowNode;
}

function edgeLabel(kind: string, config: unknown, field: string): string {
  const m = /^(options|branches)\[(\d+)\]/.exec(field);
  if (m && kind === 'ivr') return `${(config as IvrMenuConfig).options[Number(m[2])]?.digit ?? '?'}`;
  if (m && kind === 'schedule') return (config as ScheduleConfig).branches[Number(m[2])]?.name ?? field;
  return field === 'then.destination' ? 'then' : field;
}

function detailOf(kind: string, config: unknown): string | undefined {
  if (kind === 'ring-group') {
    const g = config as RingGroupConfig;
    return `${g.strategy}: ${g.members.map((x) => x.extension).join(', ')}; ${g.timeout} s`;
  }
  if (kind === 'queue') {
    const q = config as QueueConfig;
    return `${q.strategy}: ${q.members.map((x) => x.extension).join(', ')}`;
  }
  if (kind === 'schedule') {
    const s = config as ScheduleConfig;
    return `${s.timeZone}${s.override !== 'auto' ? `, ${s.override}` : ''}`;
  }
  if (kind === 'ivr') {
    const m = config as IvrMenuConfig;
    return m.dialByExtension ? 'dial-by-extension' : undefined;
  }
  return undefined;
}

export function destinationTree(c: FlowConfig, d: Destination, shown: Set<string> = new Set()): FlowNode {
  if (d.type !== 'feature')
    return {
      kind: d.type,
      name: d.type === 'hangup' ? describeDestination(d) : d.type === 'extension' ? d.extension : d.number,
      children: [],
    };
  const o = lookup(c, d.feature, d.id);
  if (!o) return { kind: d.feature, id: d.id, name: `${featureNames[d.feature]} ${d.id}`, missing: true, children: [] };
  const key = `${d.feature}:${d.id}`;
  const node: FlowNode = { kind: d.feature, id: d.id, name: o.name, detail: detailOf(d.feature, o.config), children: [] };
  if (shown.has(key)) return { ...node, ref: true };
  shown.add(key);
  node.children = edgesOf(d.feature, o.config).map((e) => ({
    field: e.field,
    label: edgeLabel(d.feature, o.config, e.field),
    node: destinationTree(c, e.destination, shown),
  }));
  if (d.feature === 'ivr' && (o.config as IvrMenuConfig).dialByExtension)
    node.children.push({ field: 'dialByExtension', label: '2–6 digits', node: { kind: 'extension', name: 'any extension', children: [] } });
  return node;
}

/** The tree for a number: its DID, then the DID's destination (or the main one). Undefined when the number is not the tenant's. */
export function numberTree(c: FlowConfig, rawNumber: string): FlowNode | undefined {
  const canon = canonicalNumber(rawNumber);
  const number = canon.ok ? canon.number : rawNumber;
  const did = c.dids.find((x) => x.number === number);
  if (!did) return undefined;
  const root: FlowNode = { kind: 'did', id: did.id, name: did.number, children: [] };
  const shown = new Set<string>();
  if (did.destination) root.children.push({ field: 'destination', label: 'destination', node: destinationTree(c, did.destination, shown) });
  else
    root.children.push({
      field: 'destination',
      label: 'main',
      node: {
        kind: 'main',
        name: 'main destination',
        children: c.mainDestination ? [{ field: 'main', label: 'main', node: destinationTree(c, c.mainDestination, shown) }] : [],
      },
    });
  return root;
}
