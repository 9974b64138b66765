// Error factories of call-control: one place for the stable codes the API
// and the logs show (STYLE.md "Errors and bad input").
import { AppError } from '../common/errors';

export const invalidIp = (value: string): AppError =>
  new AppError(400, 'invalid-ip', `not an IPv4 or IPv6 address: ${value.slice(0, 64)}`, { value: value.slice(0, 64) });

export const banNotFound = (ip: string): AppError => new AppError(404, 'ban-not-found', `${ip} is not banned`, { ip });

export const invalidBanDuration = (ms: number): AppError =>
  new AppError(400, 'invalid-ban-duration', `ban duration must be 1 s to 30 days, got ${ms} ms`, { ms });

export const rtpengineTimeout = (command: string, target: string): AppError =>
  new AppError(504, 'rtpengine-timeout', `rtpengine at ${target} did not answer ${command}`, { command, target });

export const rtpengineError = (command: string, reason: string): AppError =>
  new AppError(502, 'rtpengine-error', `rtpengine refused ${command}: ${reason.slice(0, 200)}`, { command, reason: reason.slice(0, 200) });

export const mediaCallNotFound = (callId: string): AppError =>
  new AppError(404, 'media-call-not-found', `rtpengine has no call ${callId.slice(0, 100)}`, { callId: callId.slice(0, 100) });

export const ngAddressUnsupported = (host: string): AppError =>
  new AppError(400, 'rtpengine-address-unsupported', `rtpengine.ngHost: the ng client speaks IPv4 only, got ${host.slice(0, 64)}`, { host: host.slice(0, 64) });
