// A thin client of Metabase's REST API: a session from POST /api/session, then JSON requests carrying the
// X-Metabase-Session header. HTTP failures become MetabaseApiError with the status and Metabase's message.
import { StreamSoftError } from '../core/errors';

export class MetabaseApiError extends StreamSoftError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    detail: string,
  ) {
    super(`Metabase ${method} ${path} failed with HTTP ${status}: ${detail}`, { retriable: status >= 500 });
  }
}

export interface MetabaseCredentials {
  user: string;
  password: string;
}

export interface MetabaseApi {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
}

function detailOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    if (typeof body.message === 'string') return body.message;
    if (body.errors !== undefined) return JSON.stringify(body.errors);
  } catch {
    // not JSON: Metabase answers some errors as plain text
  }
  return text.slice(0, 300) || '(empty response)';
}

export class MetabaseClient implements MetabaseApi {
  private constructor(
    private readonly baseUrl: string,
    private readonly session: string,
  ) {}

  /** Logs in with POST /api/session and returns a client using that session. */
  static async login(url: string, credentials: MetabaseCredentials): Promise<MetabaseClient> {
    const baseUrl = url.replace(/\/+$/, '');
    const response = await request(baseUrl, 'POST', '/api/session', undefined, {
      username: credentials.user,
      password: credentials.password,
    });
    const id = (response as { id?: unknown }).id;
    if (typeof id !== 'string')
      throw new MetabaseApiError('POST', '/api/session', 200, 'no session id in the answer');
    return new MetabaseClient(baseUrl, id);
  }

  get<T>(path: string): Promise<T> {
    return request(this.baseUrl, 'GET', path, this.session) as Promise<T>;
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return request(this.baseUrl, 'POST', path, this.session, body) as Promise<T>;
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return request(this.baseUrl, 'PUT', path, this.session, body) as Promise<T>;
  }
}

async function request(
  baseUrl: string,
  method: string,
  path: string,
  session: string | undefined,
  body?: unknown,
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session !== undefined) headers['x-metabase-session'] = session;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new StreamSoftError(`Metabase at ${baseUrl} is unreachable: ${(error as Error).message}`, {
      cause: error,
      retriable: true,
    });
  }
  const text = await response.text();
  if (!response.ok) throw new MetabaseApiError(method, path, response.status, detailOf(text));
  return text === '' ? null : JSON.parse(text);
}
