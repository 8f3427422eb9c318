export const REDIS_SERVER: string;

export interface RedisServer {
  port: number;
  pid: number;
  /** redis://127.0.0.1:PORT/0 */
  url: string;
  stop(): Promise<void>;
}

export function startRedis(args?: string[]): Promise<RedisServer>;
export function freePort(): Promise<number>;
