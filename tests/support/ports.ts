// Ports for tests of unreachable services: a loopback port nothing listens on, so a connection is refused.
import { freePort } from '../../local/services/processes';

/** A port that was free a moment ago and has no listener: connecting to it fails with ECONNREFUSED. */
export function closedPort(): Promise<number> {
  return freePort();
}
