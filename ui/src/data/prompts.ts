import type { PromptView } from '../../../services/api/routes/prompts/prompts';
import { ApiError, type Api } from './api';

export type Prompt = PromptView;

export interface PromptLimits {
  maxBytes: number;
  maxSeconds: number;
  ttsMaxChars: number;
}

export const listPrompts = (api: Api) => api.get<{ prompts: Prompt[]; limits: PromptLimits }>('/api/prompts');
export const createTts = (api: Api, p: { name: string; language: Prompt['language']; text: string }) => api.post<{ prompt: Prompt }>('/api/prompts/tts', p);
export const renamePrompt = (api: Api, id: number, name: string) => api.patch<{ prompt: Prompt }>(`/api/prompts/${id}`, { name });
export const deletePrompt = (api: Api, id: number) => api.delete<void>(`/api/prompts/${id}`);

function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Uploads an audio file as the branding upload does (base64 in JSON), but
 * through XMLHttpRequest: fetch reports no upload progress. `onProgress`
 * gets 0–1 while the bytes go up; decoding on the server follows.
 */
export async function uploadPrompt(
  api: Api,
  p: { name: string; language: Prompt['language']; kind: 'upload' | 'moh'; file: File },
  onProgress: (share: number) => void,
): Promise<Prompt> {
  const body = JSON.stringify({ name: p.name, language: p.language, kind: p.kind, filename: p.file.name, data: base64(new Uint8Array(await p.file.arrayBuffer())) });
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/prompts/upload');
    xhr.setRequestHeader('content-type', 'application/json');
    xhr.setRequestHeader('accept', 'application/json');
    if (api.csrfToken) xhr.setRequestHeader('x-csrf-token', api.csrfToken);
    if (api.tenantId !== null) xhr.setRequestHeader('x-korobka-tenant', String(api.tenantId));
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network-error', message: 'network error' }));
    xhr.onload = () => {
      let parsed: { prompt?: Prompt; status?: number; code?: string; message?: string; details?: ApiError['details'] } | undefined;
      try {
        parsed = JSON.parse(xhr.responseText) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      if (xhr.status === 201 && parsed?.prompt) resolve(parsed.prompt);
      else reject(new ApiError({ status: xhr.status, code: parsed?.code ?? `http-${xhr.status}`, message: parsed?.message ?? xhr.statusText, details: parsed?.details }));
    };
    xhr.send(body);
  });
}
