// The local dashboard as one unit: the lake's DuckDB views plus the HTTP server rendering the spec.
import type { Logger } from '../core/logger';
import { dataDirLayout } from '../core/paths';
import { LocalLake } from '../lake/local-lake';
import { loadDashboardSpec, type DashboardSpec } from './dashboard-spec';
import { startDashboardServer, type DashboardServer } from './dashboard-server';

export interface LocalDashboardOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  spec?: DashboardSpec;
  logger?: Logger;
}

/** Concurrent card requests share one read of the Delta logs per this interval. */
const LOG_REFRESH_INTERVAL_MS = 2000;

export async function serveLocalDashboard(options: LocalDashboardOptions): Promise<DashboardServer> {
  const spec = options.spec ?? loadDashboardSpec();
  const lake = await LocalLake.open({
    lakeDir: dataDirLayout(options.dataDir).lake,
    logger: options.logger,
    minRefreshIntervalMs: LOG_REFRESH_INTERVAL_MS,
  });
  let server: DashboardServer;
  try {
    server = await startDashboardServer({ lake, spec, port: options.port, logger: options.logger });
  } catch (error) {
    lake.close();
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      lake.close();
    },
  };
}
