import type { Config } from '../config.js';
import type { SessionStatus } from '../domain/telegram.js';
import type { Logger } from '../logger.js';
import { systemClock } from './clock.js';
import { JobEventEmitter } from './job-events.js';
import { JobService, type MenuCapableAcquirer, type ProcessOwnership } from './job-service.js';
import { Pacer } from './pacer.js';
import type { Clock, JobEvents, JobStore, Library, MessagePacer, PlaylistSource } from './ports.js';

/** The one pacer of the process: the acquirer (and anything else that sends to the bot) gets this instance. */
export function createPacer(config: Config, deps: { store: JobStore; clock?: Clock; events?: JobEvents }): Pacer {
  return new Pacer({
    store: deps.store,
    clock: deps.clock ?? systemClock,
    messageGapSeconds: config.messageGapSeconds,
    dailyBudget: config.dailyMessageBudget,
    onWait: (seconds, reason, until) => deps.events?.emit({ type: 'pacer_waiting', seconds, reason, until }),
  });
}

export interface EngineDeps {
  store: JobStore;
  source: PlaylistSource;
  /** The acquirer, or a function building it around the engine's pacer. */
  acquirer: MenuCapableAcquirer | ((pacer: MessagePacer) => MenuCapableAcquirer);
  library: Library;
  sessionStatus(): Promise<SessionStatus>;
  logger: Logger;
  /** Pass one if the acquirer was built before (it must be the same instance the acquirer uses). */
  pacer?: Pacer;
  events?: JobEvents;
  clock?: Clock;
  process?: ProcessOwnership;
}

/**
 * Builds the JobService from config: defaults from the settings (BATCH_SIZE, MAX_RETRIES,
 * RESPONSE_TIMEOUT, FILE_TEMPLATE, ORGANIZE_BY, DOWNLOAD_FOLDER, LOSSLESS_QUALITY) and the one
 * shared pacer (DELAY_BETWEEN_REQUESTS, DAILY_MESSAGE_BUDGET).
 */
export function createJobService(config: Config, deps: EngineDeps): { service: JobService; pacer: Pacer; events: JobEvents } {
  const clock = deps.clock ?? systemClock;
  const events = deps.events ?? new JobEventEmitter((err) => deps.logger.warn({ err }, 'a job event listener failed'));
  const pacer = deps.pacer ?? createPacer(config, { store: deps.store, clock, events });
  const acquirer = typeof deps.acquirer === 'function' ? deps.acquirer(pacer) : deps.acquirer;
  const service = new JobService({
    store: deps.store,
    source: deps.source,
    acquirer,
    library: deps.library,
    pacer,
    sessionStatus: deps.sessionStatus,
    clock,
    logger: deps.logger,
    events,
    ...(deps.process ? { process: deps.process } : {}),
    defaults: {
      options: {
        limit: null,
        startFrom: 1,
        batchSize: config.batchSize,
        organizeBy: config.organizeBy,
        yearFolders: false,
        outputDir: config.downloadFolder,
        fileTemplate: config.fileTemplate,
        quality: config.quality,
      },
      maxRetries: config.maxRetries,
      responseTimeoutSeconds: config.responseTimeoutSeconds,
      messageGapSeconds: config.messageGapSeconds,
    },
  });
  return { service, pacer, events };
}
