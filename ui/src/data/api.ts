// Talks to the api: JSON in and out, the CSRF header on every state-changing
// request, the superadmin's chosen tenant, and one error shape.
import type { MessageKey } from '../i18n';
import { serverMessageKey } from './server-messages';

export interface FieldError {
  field: string;
  message: string;
}

interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details?: { fields?: FieldError[] } & Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorBody['details'];
  constructor(body: ErrorBody) {
    super(body.message);
    this.status = body.status;
    this.code = body.code;
    this.details = body.details;
  }

  /** Field errors by dotted field name (`admin.username`). */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.details?.fields ?? []) out[f.field] = f.message;
    // Conflicts name one field in details.field (e.g. sip-domain-taken).
    const one = this.details?.field;
    if (typeof one === 'string' && !out[one]) out[one] = this.message;
    return out;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** A catalogue key for a server message when we know it, else the message as sent. */
export function describeServerMessage(message: string): { key: MessageKey } | { text: string } {
  const key = serverMessageKey(message);
  return key ? { key } : { text: message };
}

export type Listener = (e: ApiError) => void;

export class Api {
  csrfToken = '';
  tenantId: number | null = null;
  private readonly onUnauthenticated = new Set<Listener>();

  constructor(private readonly base = '') {}

  onSessionLost(l: Listener): void {
    this.onUnauthenticated.add(l);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (!res.ok) throw this.failure(res, text);
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      return undefined as T;
    }
  }

  /** A POST whose answer is a file (a ZIP, a PDF): the body as a Blob, errors as usual. */
  async postForFile(path: string, body: unknown): Promise<Blob> {
    const res = await this.send('POST', path, body);
    if (!res.ok) throw this.failure(res, await res.text());
    return res.blob();
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    if (this.tenantId !== null) headers['x-korobka-tenant'] = String(this.tenantId);
    try {
      return await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
      });
    } catch {
      throw new ApiError({ status: 0, code: 'network-error', message: 'network error' });
    }
  }

  private failure(res: Response, text: string): ApiError {
    let b: Partial<ErrorBody> | undefined;
    try {
      b = text ? (JSON.parse(text) as Partial<ErrorBody>) : undefined;
    } catch {
      b = undefined;
    }
    const err = new ApiError({
      status: res.status,
      code: typeof b?.code === 'string' ? b.code : 'http-' + res.status,
      message: typeof b?.message === 'string' ? b.message : res.statusText,
      details: b?.details,
    });
    if (res.status === 401) for (const l of this.onUnauthenticated) l(err);
    return err;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }
  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('PUT', path, body);
  }
  patch<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }
  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}
