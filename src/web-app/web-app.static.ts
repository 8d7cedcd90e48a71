import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Where `vite build` puts the web app: dist/web beside this file's dist/web-app. */
export const WEB_APP_DIR = path.resolve(__dirname, '..', 'web');

/** Paths the server's own routes answer; the web app never shadows them. */
const SERVER_PATHS = /^\/(v1|docs|docs-json|health|mcp|metrics)(\/|$)/;

/**
 * The page the document gets: scripts, styles, workers and connections from this origin only
 * (pdf.js renders in a worker and decodes some images with WebAssembly); never framed.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the web app (built by `npm run build` into dist/web) at `/`: its hashed assets cached for
 * good, index.html for every other GET that asks for a page (client routes such as
 * /collections/handbook), never for the API, Swagger, health, MCP or metrics paths. Does nothing
 * when the app was not built (the API works the same).
 */
export function serveWebApp(app: NestExpressApplication, dir = WEB_APP_DIR): boolean {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return false;
  const page = fs.readFileSync(index);
  const assets = express.static(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, file) => {
      const hashed = file.startsWith(path.join(dir, 'assets') + path.sep);
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path))
      return next();
    if (req.path === '/' || req.path === '/index.html') return sendPage(req, res, next, page);
    assets(req, res, () => sendPage(req, res, next, page));
  });
  return true;
}

/** index.html for a page request (client routes have no file); anything else falls through to a 404. */
function sendPage(req: Request, res: Response, next: NextFunction, page: Buffer): void {
  const asked = req.path === '/' || req.path === '/index.html';
  const clientRoute =
    path.extname(req.path) === '' && (req.headers.accept ?? '').includes('text/html');
  if (!asked && !clientRoute) return next();
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('content-security-policy', PAGE_POLICY);
  res.setHeader('referrer-policy', 'same-origin');
  res.status(200).end(req.method === 'HEAD' ? undefined : page);
}
