// A small client-side router over the History API. Links are plain
// <a href> elements; clicks on same-origin links are taken here, across
// shadow roots, so keyboard and middle-click behave as links do.
import type { MessageKey } from '../i18n';
import type { Role } from '../data/types';

export interface RouteDef {
  path: string;
  titleKey: MessageKey;
  /** Roles that may open the page; the api enforces the same on its routes. */
  roles: readonly Role[];
}

const everyone: readonly Role[] = ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'];

export const routes: readonly RouteDef[] = [
  { path: '/dashboard', titleKey: 'nav.dashboard', roles: everyone },
  { path: '/tenants', titleKey: 'nav.tenants', roles: ['superadmin'] },
  { path: '/users', titleKey: 'nav.users', roles: ['superadmin', 'tenant-admin'] },
  { path: '/audit', titleKey: 'nav.audit', roles: ['superadmin', 'auditor'] },
  { path: '/branding', titleKey: 'nav.branding', roles: ['superadmin', 'tenant-admin'] },
  { path: '/extensions', titleKey: 'nav.extensions', roles: ['superadmin', 'tenant-admin', 'supervisor'] },
  { path: '/import', titleKey: 'nav.import', roles: ['superadmin', 'tenant-admin'] },
  { path: '/trunks', titleKey: 'nav.trunks', roles: ['superadmin', 'tenant-admin'] },
  { path: '/gateways', titleKey: 'nav.gateways', roles: ['superadmin', 'tenant-admin', 'supervisor'] },
  { path: '/call-flows', titleKey: 'nav.callFlows', roles: ['superadmin', 'tenant-admin', 'supervisor', 'auditor'] },
  { path: '/prompts', titleKey: 'nav.prompts', roles: ['superadmin', 'tenant-admin', 'supervisor'] },
  { path: '/queues', titleKey: 'nav.queues', roles: ['superadmin', 'tenant-admin', 'supervisor', 'auditor'] },
  { path: '/my-queues', titleKey: 'nav.myQueues', roles: ['superadmin', 'tenant-admin', 'supervisor', 'employee'] },
  { path: '/wallboard', titleKey: 'nav.wallboard', roles: ['superadmin', 'tenant-admin', 'supervisor', 'auditor', 'employee'] },
  { path: '/mail', titleKey: 'nav.mail', roles: ['superadmin', 'tenant-admin'] },
  { path: '/routes', titleKey: 'nav.routes', roles: ['superadmin', 'tenant-admin', 'supervisor', 'auditor'] },
  { path: '/contacts', titleKey: 'nav.contacts', roles: ['superadmin', 'tenant-admin', 'supervisor', 'employee'] },
  { path: '/pd-requests', titleKey: 'nav.pdRequests', roles: ['superadmin', 'dpo'] },
  { path: '/calls', titleKey: 'nav.calls', roles: everyone },
  { path: '/recordings', titleKey: 'nav.recordings', roles: everyone },
  { path: '/voicemail', titleKey: 'nav.voicemail', roles: ['superadmin', 'tenant-admin', 'supervisor', 'employee'] },
  { path: '/licence', titleKey: 'nav.licence', roles: ['superadmin', 'tenant-admin', 'auditor'] },
  { path: '/backups', titleKey: 'nav.backups', roles: ['superadmin', 'auditor'] },
];

/** Pages that arrive with later issues; shown in the navigation, not faked. */
export const upcoming: readonly { key: MessageKey; noteKey: MessageKey }[] = [];

export function findRoute(path: string): RouteDef | undefined {
  return routes.find((r) => r.path === path);
}

/** Where a signed-in user starts: the page they came for if their role may open it, else the first one it may (a data-protection officer has no dashboard). */
export function landingFor(role: Role, wanted: string): string {
  if (findRoute(wanted)?.roles.includes(role)) return wanted;
  return routes.find((r) => r.roles.includes(role))?.path ?? wanted;
}

export type RouteListener = (path: string) => void;

export class Router {
  private readonly listeners = new Set<RouteListener>();

  constructor(private readonly win: Window = window) {
    win.addEventListener('popstate', () => this.emit());
    win.document.addEventListener('click', (e) => this.onClick(e));
  }

  get path(): string {
    return this.win.location.pathname;
  }

  listen(l: RouteListener): void {
    this.listeners.add(l);
  }

  navigate(path: string, replace = false): void {
    if (path === this.path && !replace) return;
    if (replace) this.win.history.replaceState(null, '', path);
    else this.win.history.pushState(null, '', path);
    this.emit();
  }

  private emit(): void {
    for (const l of this.listeners) l(this.path);
  }

  private onClick(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, this.win.location.href);
    if (url.origin !== this.win.location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    this.navigate(url.pathname + url.search);
  }
}
