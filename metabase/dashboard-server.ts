// The local dashboard: a small HTTP server on 127.0.0.1 that serves the dashboard page, the drill-down
// page of one symbol, the spec, each filter's values and each card's rows from the local lake under the
// filters in the query string; the page draws them with Chart.js served from node_modules.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ConfigError, EnvironmentError } from '../core/errors';
import { silentLogger, type Logger } from '../core/logger';
import { TableNotFoundError } from '../lake/errors';
import type { LocalLake } from '../lake/local-lake';
import { bindCardSql } from './card-sql';
import { loadCardData } from './card-data';
import { allCards, type DashboardSpec, type FilterSpec } from './dashboard-spec';
import { dashboardPage } from './dashboard-page';
import { filterValuesFromQuery } from './filter-values';

export interface DashboardServerOptions {
  lake: Pick<LocalLake, 'query'>;
  spec: DashboardSpec;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger?: Logger;
}

export interface DashboardServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const STATIC_FILES: Record<string, { file: () => string; type: string }> = {
  '/assets/chart.umd.js': {
    // chart.js exports no subpaths; its CommonJS entry sits next to the UMD bundle in dist/.
    file: () => path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/assets/dashboard.js': {
    file: () => path.join(__dirname, 'assets', 'dashboard.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/assets/dashboard.css': {
    file: () => path.join(__dirname, 'assets', 'dashboard.css'),
    type: 'text/css; charset=utf-8',
  },
};

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const log = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const { spec } = options;
  const cards = new Map(allCards(spec).map((card) => [card.id, card]));
  const page = dashboardPage(spec);
  const drilldownPath = spec.drilldown === undefined ? undefined : `/${spec.drilldown.column}/`;

  const filterOptions = async (filter: FilterSpec): Promise<(string | number)[]> => {
    if (filter.type === 'number') return filter.choices.map((choice) => choice.value);
    try {
      const result = await options.lake.query(filter.valuesSql);
      return result.rows.flatMap((row) => (typeof row[0] === 'string' ? [row[0]] : []));
    } catch (error) {
      if (error instanceof TableNotFoundError) return [];
      throw error;
    }
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'only GET is served' });
      return;
    }
    if (url.pathname === '/') {
      send(res, 200, 'text/html; charset=utf-8', page);
      return;
    }
    if (drilldownPath !== undefined && url.pathname.startsWith(drilldownPath)) {
      const value = decodeURIComponent(url.pathname.slice(drilldownPath.length));
      if (value === '' || value.includes('/')) {
        sendJson(res, 404, { error: `not found: ${url.pathname}` });
        return;
      }
      send(res, 200, 'text/html; charset=utf-8', dashboardPage(spec, value));
      return;
    }
    if (url.pathname === '/api/dashboard') {
      sendJson(res, 200, spec);
      return;
    }
    if (url.pathname === '/api/filters') {
      const entries = await Promise.all(spec.filters.map(async (f) => [f.id, await filterOptions(f)]));
      sendJson(res, 200, Object.fromEntries(entries));
      return;
    }
    if (url.pathname === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const cardMatch = /^\/api\/cards\/([a-z0-9_]+)$/.exec(url.pathname);
    if (cardMatch) {
      const card = cards.get(cardMatch[1] ?? '');
      if (card === undefined) {
        sendJson(res, 404, { error: `no card ${cardMatch[1]}` });
        return;
      }
      let filters;
      try {
        filters = filterValuesFromQuery(spec.filters, url.searchParams);
        bindCardSql(card.sql, filters);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        sendJson(res, 400, { error: error.message });
        return;
      }
      const data = await loadCardData(options.lake, card, filters);
      if (data.status === 'error') log.warn({ card: card.id, message: data.message }, 'card query failed');
      sendJson(res, data.status === 'error' ? 500 : 200, data);
      return;
    }
    const asset = STATIC_FILES[url.pathname];
    if (asset !== undefined) {
      send(res, 200, asset.type, await fs.readFile(asset.file()));
      return;
    }
    sendJson(res, 404, { error: `not found: ${url.pathname}` });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, 'dashboard request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new EnvironmentError(`--port: ${host}:${options.port} is already in use`, { cause: error })
          : error,
      ),
    );
    server.listen(options.port, host, () => {
      server.removeAllListeners('error');
      server.on('error', (error) => log.error({ err: error }, 'dashboard server error'));
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
