import type { Api } from './api';

/** A box as /api/voicemail sends it (no PIN hash). */
export interface VoicemailBox {
  id: number;
  tenantId: number;
  number: string;
  name: string;
  extension: string | null;
  email: string | null;
  pinSet: boolean;
  locked: boolean;
  messages: { new: number; saved: number };
}

export interface VoicemailMessage {
  id: number;
  boxId: number;
  caller: string;
  receivedAt: string;
  durationMs: number;
  folder: 'new' | 'saved';
  readAt: string | null;
  audioUrl: string;
  downloadUrl: string;
}

export const listBoxes = (api: Api) => api.get<{ boxes: VoicemailBox[] }>('/api/voicemail/boxes');

export const listMessages = (api: Api, boxId: number) => api.get<{ box: VoicemailBox; messages: VoicemailMessage[] }>(`/api/voicemail/boxes/${boxId}/messages`);

export const markRead = (api: Api, id: number) => api.put<{ message: VoicemailMessage }>(`/api/voicemail/messages/${id}/read`, {});

export const deleteMessage = (api: Api, id: number) => api.delete<void>(`/api/voicemail/messages/${id}`);
