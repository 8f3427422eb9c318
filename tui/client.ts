import type {EventListener} from '../src/client/client.js';
import type {MethodName, ParamsOf, ResultOf} from '../src/protocol/index.js';

/**
 * What the dashboard needs of a daemon connection: the part of DaemonClient it uses, so
 * tests and the benchmark can drive it with a fake.
 */
export interface DashboardClient {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  subscribe(topics: string[]): Promise<void>;
  onEvent(listener: EventListener): () => void;
  onClose(listener: (error?: Error) => void): () => void;
  close(): void;
}

/** Opens a connection to the daemon; resolves null while none answers (it is called again later). */
export type Connect = () => Promise<DashboardClient | null>;
