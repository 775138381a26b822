/**
 * Typed errors. Each class sets `name` to a string literal because Step Functions matches
 * `Retry`/`Catch` on the error name and the bundler minifies class names.
 *
 * `retryable` documents intent for humans and tests; the state machine's `Retry` blocks are the
 * source of truth for what actually gets retried.
 */
export abstract class PipelineError extends Error {
  abstract override readonly name: string;
  abstract readonly retryable: boolean;
}

/** The execution input or a Lambda event does not have the documented shape. */
export class InvalidInputError extends PipelineError {
  override readonly name = 'InvalidInputError';
  readonly retryable = false;
}

/** A required setting (environment variable, SSM parameter) is missing or malformed. */
export class ConfigurationError extends PipelineError {
  override readonly name = 'ConfigurationError';
  readonly retryable = false;
}

/** Spotify refused our credentials (401, or 400 invalid_client / invalid_grant). */
export class SpotifyAuthError extends PipelineError {
  override readonly name = 'SpotifyAuthError';
  readonly retryable = false;
}

/** 403/404 on a playlist: Spotify's 2024 and 2026 restrictions, someone else's playlist or a wrong id. */
export class SpotifyPlaylistNotAccessible extends PipelineError {
  override readonly name = 'SpotifyPlaylistNotAccessible';
  readonly retryable = false;
  constructor(
    readonly playlistId: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * 429 with `reason: QUOTA_EXCEEDED`: the developer account's quota (since July 2026 counted per
 * account, across all its apps) is used up. Retrying minutes later only spends more of it.
 */
export class SpotifyQuotaExceeded extends PipelineError {
  override readonly name = 'SpotifyQuotaExceeded';
  readonly retryable = false;
}

/** 403 "Insufficient client scope": the user token lacks a scope a source needs. */
export class SpotifyScopeMissing extends PipelineError {
  override readonly name = 'SpotifyScopeMissing';
  readonly retryable = false;
}

/** 403 "Active premium subscription required for the owner of the app" (development mode). */
export class SpotifyPremiumRequired extends PipelineError {
  override readonly name = 'SpotifyPremiumRequired';
  readonly retryable = false;
}

/** 429 whose Retry-After does not fit in this invocation: Step Functions retries later. */
export class SpotifyRateLimited extends PipelineError {
  override readonly name = 'SpotifyRateLimited';
  readonly retryable = true;
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

/** 5xx, connection resets or timeouts that outlasted the in-Lambda retries. */
export class SpotifyUnavailable extends PipelineError {
  override readonly name = 'SpotifyUnavailable';
  readonly retryable = true;
}

/** S3 failed (5xx, throttling, a reset) after the SDK's own retries: the state machine retries the step. */
export class StorageUnavailable extends PipelineError {
  override readonly name = 'StorageUnavailable';
  readonly retryable = true;
}

/** Spotify answered with something that is not the documented JSON shape. */
export class InvalidSpotifyPayload extends PipelineError {
  override readonly name = 'InvalidSpotifyPayload';
  readonly retryable = false;
}

/**
 * A file given to a streaming-history import is not a usable export (not JSON, not an array of
 * plays, the account-data format, too large, too many malformed plays): the import publishes nothing.
 */
export class ExportFileInvalid extends PipelineError {
  override readonly name = 'ExportFileInvalid';
  readonly retryable = false;
}

/** A staging object a later step needs is gone (expired by lifecycle, deleted by hand). */
export class StagingObjectMissing extends PipelineError {
  override readonly name = 'StagingObjectMissing';
  readonly retryable = false;
}

/** A staging object is there but is not what this version of the pipeline writes. */
export class StagingObjectInvalid extends PipelineError {
  override readonly name = 'StagingObjectInvalid';
  readonly retryable = false;
}

/** The normalized records failed the data-quality gate; nothing curated was written. */
export class DataQualityError extends PipelineError {
  override readonly name = 'DataQualityError';
  readonly retryable = false;
  constructor(
    readonly violations: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * Every source of the run failed with the same error: the execution fails with that error's own
 * name (SpotifyPlaylistNotAccessible, SpotifyAuthError, ...) so alerts and the console say what it is.
 */
export class SourceFailed extends PipelineError {
  readonly retryable = false;
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/** Some sources of the run failed; the others were published. The run manifest names each failure. */
export class SourcesFailed extends PipelineError {
  override readonly name = 'SourcesFailed';
  readonly retryable = false;
}
