/**
 * How often an instance renews its presence in Redis, and how long the presence lives without
 * renewal: a dead instance's members leave their rooms within the sum of the two.
 */
export const DEFAULT_REDIS_HEARTBEAT_MS = 1000;
export const DEFAULT_REDIS_TTL_MS = 4000;
