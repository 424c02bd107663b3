import type { JobEvent, JobEvents } from './ports.js';

/**
 * A plain synchronous emitter. A listener that throws is reported to `onListenerError` and never
 * breaks the job or the other listeners; `subscribe` returns the only handle needed to leave.
 */
export class JobEventEmitter implements JobEvents {
  private readonly listeners = new Set<(event: JobEvent) => void>();

  constructor(private readonly onListenerError: (err: unknown, event: JobEvent) => void = () => {}) {}

  emit(event: JobEvent): void {
    // Copy: a listener may unsubscribe itself (or another) while we iterate.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  subscribe(listener: (event: JobEvent) => void): () => void {
    // Wrap so the same function subscribed twice is two subscriptions, each removable once.
    const entry = (event: JobEvent) => listener(event);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
