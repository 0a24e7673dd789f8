import type { EngineListener } from '../engine/events.js';
import { notificationsFrom } from './notifications.js';
import { NotifyQueue, NOTIFY_QUEUE_DEFAULTS, type NotifyQueueOptions } from './notify-queue.js';

export interface Notifier {
  /** Hears the engine's events, as the journal and the printers do. */
  listener: EngineListener;
  /** Waits (bounded) for the notifications still queued; call once the run is over. */
  drain(): Promise<void>;
}

/** The `notify` setting made live: the engine's events turned into notifications, sent one at a time. */
export function startNotifier(argv: readonly string[], onProblem: (message: string) => void, options: NotifyQueueOptions = NOTIFY_QUEUE_DEFAULTS): Notifier {
  const notificationOf = notificationsFrom();
  const queue = new NotifyQueue(argv, onProblem, options);
  return {
    listener(event) {
      const notification = notificationOf(event);
      if (notification) queue.push(notification);
    },
    drain: () => queue.drain(),
  };
}
