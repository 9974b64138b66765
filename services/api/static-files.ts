// Serves the built admin UI (dist/ui): files by path, index.html for any
// other GET so the client-side router can take it.
import type { Middleware } from 'koa';
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

export function staticFiles(root: string): Middleware {
  const base = path.resolve(root);
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path);
    } catch {
      return next();
    }
    let file = path.resolve(base, '.' + rel);
    if (!file.startsWith(base + path.sep) && file !== base) return next();
    if (!existsSync(file) || !statSync(file).isFile()) file = path.join(base, 'index.html');
    if (!existsSync(file)) return next();
    ctx.type = types[path.extname(file)] ?? 'application/octet-stream';
    ctx.set('Cache-Control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600');
    ctx.body = createReadStream(file);
  };
}
