// The root element: session, branding, layout and which page shows.
import { html, css, nothing, type TemplateResult } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { Api, isApiError } from '../data/api';
import { getBranding } from '../data/branding';
import { logout, me } from '../data/session';
import { listTenants } from '../data/tenants';
import type { Me, Role, Tenant } from '../data/types';
import { lang, t } from '../i18n';
import type { EffectiveBranding } from '../../../shared/branding-rules';
import { shared } from '../styles/shared';
import { applyBranding, DEFAULT_LOGO, fallbackBranding } from './apply-branding';
import { PbxElement } from './pbx-element';
import { findRoute, landingFor, Router } from './router';
import './pbx-licence-indicator';
import './pbx-alarms-indicator';
import './pbx-nav';
import './pbx-tenant-switcher';
import './pbx-user-menu';
import '../components/pbx-no-access';
import '../pages/login/pbx-login-page';
import '../pages/login/pbx-password-page';
import '../pages/dashboard/pbx-dashboard-page';
import '../pages/tenants/pbx-tenants-page';
import '../pages/users/pbx-users-page';
import '../pages/audit/pbx-audit-page';
import '../pages/branding/pbx-branding-page';
import '../pages/extensions/pbx-extensions-page';
import '../pages/extensions/pbx-import-page';
import '../pages/calls/pbx-calls-page';
import '../pages/trunks/pbx-trunks-page';
import '../pages/prompts/pbx-prompts-page';
import '../pages/fmc/pbx-gateways-page';
import '../pages/mail/pbx-mail-page';
import '../pages/queues/pbx-queues-page';
import '../pages/queues/pbx-my-queues-page';
import '../pages/queues/pbx-wallboard-page';
import '../pages/routes/pbx-routes-page';
import '../pages/call-flows/pbx-call-flows-page';
import '../pages/licence/pbx-licence-page';
import '../pages/backups/pbx-backups-page';
import '../pages/contacts/pbx-contacts-page';
import '../pages/pd-requests/pbx-pd-requests-page';
import '../pages/recordings/pbx-recordings-page';
import '../pages/voicemail/pbx-voicemail-page';

type Phase = 'loading' | 'unreachable' | 'signed-out' | 'password' | 'signed-in';
const TENANT_KEY = 'korobka.tenant';
/** Roles holding `license.read` (services/api/rbac.ts). */
const LICENCE_ROLES: readonly Role[] = ['superadmin', 'tenant-admin', 'auditor'];
/** As `alarms.read` in services/api/rbac.ts. */
const ALARM_ROLES: readonly Role[] = ['superadmin', 'tenant-admin', 'supervisor', 'auditor'];

@customElement('pbx-app')
export class PbxApp extends PbxElement {
  @state() private phase: Phase = 'loading';
  @state() private session: Me | null = null;
  @state() private path = location.pathname;
  @state() private branding: EffectiveBranding = fallbackBranding();
  @state() private tenants: Tenant[] = [];
  @state() private tenantId: number | null = null;

  private readonly api = new Api();
  /** The page asked for before sign-in, opened after it. */
  private returnTo = '/dashboard';
  private readonly router = new Router();

  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        grid-template-columns: 15rem 1fr;
        grid-template-rows: auto 1fr auto;
        grid-template-areas: 'header header' 'nav main' 'footer footer';
        min-height: 100vh;
        background: #f3f5f7;
      }
      :host([data-phase='signed-out']),
      :host([data-phase='password']),
      :host([data-phase='loading']),
      :host([data-phase='unreachable']) {
        display: block;
      }
      .skip {
        position: absolute;
        inset-inline-start: 0.5rem;
        top: -3rem;
        background: #fff;
        padding: 0.5rem 0.75rem;
        z-index: 20;
      }
      .skip:focus {
        top: 0.5rem;
      }
      header {
        grid-area: header;
        display: flex;
        align-items: center;
        gap: 1rem;
        padding: 0.5rem 1rem;
        background: var(--pbx-primary, #1f4e8c);
        color: var(--pbx-on-primary, #fff);
      }
      header img {
        height: 2rem;
        max-width: 9rem;
        object-fit: contain;
      }
      .product {
        font-weight: 700;
        font-size: 1.1rem;
      }
      .spacer {
        flex: 1;
      }
      .indicators {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      pbx-nav {
        grid-area: nav;
        background: #fff;
        border-inline-end: 1px solid #dde3e9;
      }
      main {
        grid-area: main;
        padding: 1.5rem;
        min-width: 0;
      }
      main:focus {
        outline: none;
      }
      footer {
        grid-area: footer;
        padding: 0.75rem 1.5rem;
        font-size: 0.85rem;
        display: flex;
        gap: 1rem;
        flex-wrap: wrap;
        border-top: 1px solid #dde3e9;
        background: #fff;
      }
      @media (max-width: 1023px) {
        :host {
          grid-template-columns: minmax(0, 1fr);
          grid-template-areas: 'header' 'nav' 'main' 'footer';
        }
        pbx-nav {
          min-width: 0;
          border-inline-end: none;
          border-bottom: 1px solid #dde3e9;
        }
        main {
          padding: 1rem;
        }
        header {
          flex-wrap: wrap;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.router.listen((p) => {
      this.path = p;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('main')?.focus());
    });
    this.api.onSessionLost(() => {
      if (this.phase === 'signed-in' || this.phase === 'password') this.toSignedOut();
    });
    this.addEventListener('pbx-sign-out', () => void this.signOut());
    this.addEventListener('pbx-tenant-changed', (e) => this.switchTenant((e as CustomEvent<number | null>).detail));
    this.addEventListener('pbx-branding-changed', () => void this.loadBranding());
    void this.boot();
  }

  private brandingDomain(): string {
    return this.session?.tenant?.sipDomain ?? location.hostname;
  }

  private async loadBranding(): Promise<void> {
    try {
      this.branding = await getBranding(this.api, this.brandingDomain());
    } catch {
      this.branding = fallbackBranding();
    }
    applyBranding(this.branding);
  }

  private async boot(): Promise<void> {
    document.documentElement.lang = lang();
    await this.loadBranding();
    try {
      await this.signedIn(await me(this.api));
    } catch (e) {
      if (isApiError(e) && e.status === 401) this.toSignedOut();
      else this.phase = 'unreachable';
    }
  }

  private toSignedOut(): void {
    if (findRoute(this.path)) this.returnTo = this.path;
    this.session = null;
    this.api.csrfToken = '';
    this.api.tenantId = null;
    this.phase = 'signed-out';
    if (this.path !== '/login') this.router.navigate('/login', true);
  }

  private async signedIn(m: Me): Promise<void> {
    this.session = m;
    this.api.csrfToken = m.csrfToken;
    if (m.mustChangePassword) {
      this.phase = 'password';
      this.router.navigate('/password', true);
      return;
    }
    if (m.user.role === 'superadmin') {
      const saved = Number(localStorage.getItem(TENANT_KEY) ?? '');
      this.tenants = await listTenants(this.api);
      this.tenantId = this.tenants.some((x) => x.id === saved) ? saved : null;
      this.api.tenantId = this.tenantId;
    }
    await this.loadBranding();
    this.phase = 'signed-in';
    if (this.path === '/' || this.path === '/login' || this.path === '/password') this.router.navigate(landingFor(m.user.role, this.returnTo), true);
    this.returnTo = '/dashboard';
  }

  private async afterLogin(): Promise<void> {
    await this.signedIn(await me(this.api));
  }

  private switchTenant(id: number | null): void {
    this.tenantId = id;
    this.api.tenantId = id;
    if (id === null) localStorage.removeItem(TENANT_KEY);
    else localStorage.setItem(TENANT_KEY, String(id));
  }

  private async signOut(): Promise<void> {
    try {
      await logout(this.api);
    } finally {
      this.toSignedOut();
      // Signed out on purpose: the next person starts at the dashboard.
      this.returnTo = '/dashboard';
      await this.loadBranding();
    }
  }

  override updated(): void {
    this.dataset.phase = this.phase;
    const route = this.phase === 'signed-in' ? findRoute(this.path) : undefined;
    document.title = route ? `${t(route.titleKey)} · ${this.branding.productName}` : this.branding.productName;
  }

  override render() {
    switch (this.phase) {
      case 'loading':
        return html`<p class="muted" role="status">${t('app.loading')}</p>`;
      case 'unreachable':
        return html`<section class="notice" role="alert">
          <p>${t('error.network-error')}</p>
          <button type="button" @click=${() => void this.boot()}>${t('app.retry')}</button>
        </section>`;
      case 'signed-out':
        return html`<pbx-login-page .api=${this.api} .branding=${this.branding} @pbx-signed-in=${() => void this.afterLogin()}></pbx-login-page>`;
      case 'password':
        return html`<pbx-password-page
          .api=${this.api}
          .branding=${this.branding}
          .username=${this.session?.user.username ?? ''}
          @pbx-password-changed=${() => void this.afterLogin()}
        ></pbx-password-page>`;
      case 'signed-in':
        return this.renderShell();
    }
  }

  private renderShell(): TemplateResult {
    const user = this.session!.user;
    const b = this.branding;
    return html`<a class="skip" href="#main" @click=${this.skip}>${t('app.skipToContent')}</a>
      <header>
        <img src=${b.logoUrl ?? DEFAULT_LOGO} alt="" data-testid="header-logo" />
        <span class="product" data-testid="product-name">${b.productName}</span>
        <span class="spacer"></span>
        ${user.role === 'superadmin'
          ? html`<pbx-tenant-switcher .tenants=${this.tenants} .selected=${this.tenantId}></pbx-tenant-switcher>`
          : this.session!.tenant
            ? html`<span>${this.session!.tenant.name}</span>`
            : nothing}
        <div class="indicators" data-slot="indicators">
          ${ALARM_ROLES.includes(user.role) ? html`<pbx-alarms-indicator .api=${this.api}></pbx-alarms-indicator>` : nothing}
          ${LICENCE_ROLES.includes(user.role) ? html`<pbx-licence-indicator .api=${this.api}></pbx-licence-indicator>` : nothing}
          <slot name="indicators"></slot>
        </div>
        <pbx-user-menu .user=${user}></pbx-user-menu>
      </header>
      <pbx-nav .current=${this.path} .userRole=${user.role}></pbx-nav>
      <main id="main" tabindex="-1">${keyed(`${this.path}|${this.tenantId ?? ''}`, this.renderPage())}</main>
      ${this.renderFooter()}`;
  }

  private skip(e: Event): void {
    e.preventDefault();
    this.renderRoot.querySelector<HTMLElement>('main')?.focus();
  }

  private renderFooter(): TemplateResult {
    const b = this.branding;
    return html`<footer>
      <span>${b.productName}</span>
      ${b.supportUrl ? html`<a href=${b.supportUrl} rel="noopener" target="_blank">${t('footer.support')}</a>` : nothing}
      ${b.footerLinks.map((l) => html`<a href=${l.url} rel="noopener" target="_blank">${l.label}</a>`)}
    </footer>`;
  }

  private renderPage(): TemplateResult {
    const role = this.session!.user.role;
    const route = findRoute(this.path);
    if (!route) return html`<section class="notice" role="alert"><h1>${t('notFound.title')}</h1><a href="/dashboard">${t('noAccess.back')}</a></section>`;
    if (!route.roles.includes(role)) return html`<pbx-no-access></pbx-no-access>`;
    const tenant = this.tenants.find((x) => x.id === this.tenantId) ?? null;
    switch (route.path) {
      case '/dashboard':
        return html`<pbx-dashboard-page .api=${this.api} .userRole=${role}></pbx-dashboard-page>`;
      case '/tenants':
        return html`<pbx-tenants-page .api=${this.api} @pbx-tenants-changed=${() => void this.reloadTenants()}></pbx-tenants-page>`;
      case '/users':
        return html`<pbx-users-page .api=${this.api} .me=${this.session!.user} .tenants=${this.tenants} .tenant=${tenant}></pbx-users-page>`;
      case '/audit':
        return html`<pbx-audit-page .api=${this.api}></pbx-audit-page>`;
      case '/branding':
        return html`<pbx-branding-page .api=${this.api} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-branding-page>`;
      case '/extensions':
        return html`<pbx-extensions-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-extensions-page>`;
      case '/import':
        return html`<pbx-import-page .api=${this.api}></pbx-import-page>`;
      case '/trunks':
        return html`<pbx-trunks-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-trunks-page>`;
      case '/gateways':
        return html`<pbx-gateways-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-gateways-page>`;
      case '/call-flows':
        return html`<pbx-call-flows-page .api=${this.api} .me=${this.session!.user} .tenant=${this.session!.user.tenantId === null ? tenant : this.session!.tenant}></pbx-call-flows-page>`;
      case '/queues':
        return html`<pbx-queues-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-queues-page>`;
      case '/my-queues':
        return html`<pbx-my-queues-page .api=${this.api}></pbx-my-queues-page>`;
      case '/wallboard':
        return html`<pbx-wallboard-page .api=${this.api}></pbx-wallboard-page>`;
      case '/mail':
        return html`<pbx-mail-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-mail-page>`;
      case '/prompts':
        return html`<pbx-prompts-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-prompts-page>`;
      case '/routes':
        return html`<pbx-routes-page .api=${this.api} .me=${this.session!.user} .tenant=${this.session!.user.tenantId === null ? tenant : this.session!.tenant}></pbx-routes-page>`;
      case '/calls':
        return html`<pbx-calls-page .api=${this.api}></pbx-calls-page>`;
      case '/voicemail':
        return html`<pbx-voicemail-page .api=${this.api}></pbx-voicemail-page>`;
      case '/recordings':
        return html`<pbx-recordings-page .api=${this.api} .userRole=${role}></pbx-recordings-page>`;
      case '/licence':
        return html`<pbx-licence-page .api=${this.api} .userRole=${role}></pbx-licence-page>`;
      case '/contacts':
        return html`<pbx-contacts-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-contacts-page>`;
      case '/pd-requests':
        return html`<pbx-pd-requests-page .api=${this.api} .me=${this.session!.user} .tenant=${role === 'superadmin' ? tenant : this.session!.tenant}></pbx-pd-requests-page>`;
      case '/backups':
        return html`<pbx-backups-page .api=${this.api} .userRole=${role}></pbx-backups-page>`;
      default:
        return html`<pbx-no-access></pbx-no-access>`;
    }
  }

  private async reloadTenants(): Promise<void> {
    this.tenants = await listTenants(this.api);
  }
}
