// An announcement: play a prompt, then hang up or continue to a destination.
import { z } from 'zod';
import { destinationSchema } from './destination';

export const announcementSchema = z.object({
  name: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  prompt: z.number().int().positive('must be a prompt id'),
  then: z
    .discriminatedUnion('action', [z.object({ action: z.literal('hangup') }), z.object({ action: z.literal('continue'), destination: destinationSchema })], {
      message: 'action must be hangup or continue',
    })
    .default({ action: 'hangup' }),
});

export type AnnouncementConfig = z.infer<typeof announcementSchema>;
export type AnnouncementInput = z.input<typeof announcementSchema>;
