// Checks an uploaded logo or favicon by its content, never its name: PNG by
// signature and chunk walk, SVG by parsing. Every refusal names the field.
import { badRequest } from '../../errors';
import { FAVICON_MAX_BYTES, FAVICON_MAX_SIDE, LOGO_MAX_BYTES, LOGO_MAX_SIDE } from '../../../../shared/branding-rules';
import { checkPng, isPngSignature } from './png-check';
import { checkSvg } from './svg-check';
import type { ImageKind, ImageType } from './branding-store';

const limits = {
  logo: { bytes: LOGO_MAX_BYTES, side: LOGO_MAX_SIDE },
  favicon: { bytes: FAVICON_MAX_BYTES, side: FAVICON_MAX_SIDE },
} as const;

const field = { field: 'data' };

function looksLikeSvg(b: Buffer): boolean {
  const head = b.subarray(0, 2048).toString('utf8').replace(/^\ufeff/, '').trimStart();
  return /^<(\?xml|!--|!doctype|[\w-]*:?svg[\s/>])/i.test(head);
}

export function checkUpload(kind: ImageKind, base64: string): { type: ImageType; data: Buffer } {
  const limit = limits[kind];
  // Base64 grows by 4/3: refuse early before decoding something huge.
  if (Math.floor((base64.length * 3) / 4) > limit.bytes + 2) {
    throw badRequest('image-too-large', `the ${kind} must be at most ${limit.bytes / 1024} KB`, { ...field, limitBytes: limit.bytes });
  }
  const data = Buffer.from(base64, 'base64');
  if (data.length > limit.bytes) {
    throw badRequest('image-too-large', `the ${kind} must be at most ${limit.bytes / 1024} KB`, { ...field, limitBytes: limit.bytes });
  }
  if (isPngSignature(data)) {
    const r = checkPng(data, limit.side);
    if (!r.ok) throw badRequest('image-broken', `the PNG file is damaged or not allowed: ${r.reason}`, field);
    return { type: 'png', data };
  }
  if (looksLikeSvg(data)) {
    const r = checkSvg(data);
    if (!r.ok) {
      if (r.unsafe) throw badRequest('image-unsafe', `the SVG file is refused: ${r.reason}`, field);
      throw badRequest('image-broken', `the SVG file is damaged: ${r.reason}`, field);
    }
    return { type: 'svg', data };
  }
  throw badRequest('image-type-not-allowed', 'only PNG and SVG images are accepted', field);
}
