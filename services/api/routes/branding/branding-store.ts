// Where branding lives: fields in the settings table (key `branding`, per
// tenant or appliance-wide), images under <dataDir>/branding/<scope>/.
// Images are written to a temporary name and renamed, then recorded, so a
// failed upload leaves the previous logo in place.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../../../store';
import {
  DEFAULT_BRANDING,
  TEXT_ON_PRIMARY,
  type BrandingSettings,
  type EffectiveBranding,
} from '../../../../shared/branding-rules';

export type ImageKind = 'logo' | 'favicon';
export type ImageType = 'png' | 'svg';

export interface ImageMeta {
  type: ImageType;
  bytes: number;
  sha256: string;
  updatedAt: string;
}

const SETTINGS_KEY = 'branding';
const imageKey = (kind: ImageKind) => `branding.${kind}`;

export class BrandingStore {
  constructor(
    private readonly store: Store,
    private readonly dataDir: string,
  ) {}

  private dir(tenantId: number | null): string {
    return path.join(this.dataDir, 'branding', tenantId === null ? 'appliance' : `tenant-${tenantId}`);
  }

  settings(tenantId: number | null): BrandingSettings {
    return this.store.settings.get<BrandingSettings>(SETTINGS_KEY, tenantId) ?? {};
  }

  saveSettings(tenantId: number | null, s: BrandingSettings): void {
    this.store.settings.set(SETTINGS_KEY, s, tenantId);
  }

  image(kind: ImageKind, tenantId: number | null): ImageMeta | undefined {
    return this.store.settings.get<ImageMeta>(imageKey(kind), tenantId);
  }

  imageFile(kind: ImageKind, tenantId: number | null, meta: ImageMeta): string {
    return path.join(this.dir(tenantId), `${kind}.${meta.type}`);
  }

  readImage(kind: ImageKind, tenantId: number | null): { meta: ImageMeta; data: Buffer } | undefined {
    const meta = this.image(kind, tenantId);
    if (!meta) return undefined;
    const file = this.imageFile(kind, tenantId, meta);
    return existsSync(file) ? { meta, data: readFileSync(file) } : undefined;
  }

  saveImage(kind: ImageKind, tenantId: number | null, type: ImageType, data: Buffer): ImageMeta {
    const dir = this.dir(tenantId);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    const meta: ImageMeta = { type, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), updatedAt: new Date().toISOString() };
    const file = this.imageFile(kind, tenantId, meta);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o640 });
    renameSync(tmp, file);
    this.store.settings.set(imageKey(kind), meta, tenantId);
    // The other format's old file, if any, is now stale.
    const other = path.join(dir, `${kind}.${type === 'png' ? 'svg' : 'png'}`);
    rmSync(other, { force: true });
    return meta;
  }

  reset(tenantId: number | null): void {
    this.store.transaction(() => {
      this.store.settings.delete(SETTINGS_KEY, tenantId);
      this.store.settings.delete(imageKey('logo'), tenantId);
      this.store.settings.delete(imageKey('favicon'), tenantId);
    });
    rmSync(this.dir(tenantId), { recursive: true, force: true });
  }

  /** Which image answers for a tenant: its own, else the appliance's. */
  resolveImage(kind: ImageKind, tenantId: number | null): { meta: ImageMeta; tenantId: number | null } | undefined {
    if (tenantId !== null) {
      const own = this.image(kind, tenantId);
      if (own) return { meta: own, tenantId };
    }
    const appliance = this.image(kind, null);
    return appliance ? { meta: appliance, tenantId: null } : undefined;
  }

  /** The built-in branding, what the appliance level falls back to. */
  defaults(): EffectiveBranding {
    return { scope: 'default', ...DEFAULT_BRANDING, footerLinks: [], textOnPrimary: TEXT_ON_PRIMARY, logoUrl: null, faviconUrl: null };
  }

  effective(tenantId: number | null, domain?: string): EffectiveBranding {
    const appliance = this.settings(null);
    const tenant = tenantId === null ? {} : this.settings(tenantId);
    const pick = <K extends keyof BrandingSettings>(k: K) => tenant[k] ?? appliance[k];
    const q = domain ? `domain=${encodeURIComponent(domain)}&` : '';
    const url = (kind: ImageKind) => {
      const r = this.resolveImage(kind, tenantId);
      return r ? `/api/branding/${kind}?${q}v=${r.meta.sha256.slice(0, 12)}` : null;
    };
    const hasTenant = tenantId !== null && (Object.keys(tenant).length > 0 || this.image('logo', tenantId) !== undefined);
    const hasAppliance = Object.keys(appliance).length > 0 || this.image('logo', null) !== undefined;
    return {
      scope: hasTenant ? 'tenant' : hasAppliance ? 'appliance' : 'default',
      productName: pick('productName') ?? DEFAULT_BRANDING.productName,
      primaryColor: pick('primaryColor') ?? DEFAULT_BRANDING.primaryColor,
      accentColor: pick('accentColor') ?? DEFAULT_BRANDING.accentColor,
      textOnPrimary: TEXT_ON_PRIMARY,
      loginText: pick('loginText') ?? DEFAULT_BRANDING.loginText,
      supportUrl: pick('supportUrl') ?? DEFAULT_BRANDING.supportUrl,
      footerLinks: pick('footerLinks') ?? [...DEFAULT_BRANDING.footerLinks],
      logoUrl: url('logo'),
      faviconUrl: url('favicon'),
    };
  }
}
