import { text } from './setting-kinds.js';

/** Running several gateway processes side by side. */
export const CLUSTER_SETTINGS = {
  redisUrl: text({
    name: 'REDIS_URL',
    group: 'cluster',
    description: 'Redis URL for running several gateway processes (cluster bus, rate limits)',
    default: undefined,
    type: 'URL',
    pattern: /^rediss?:\/\//,
    rule: 'must be a redis:// or rediss:// URL',
    bounds: 'redis:// or rediss://',
    // The URL may carry the password.
    secret: true,
  }),
  redisPrefix: text({
    name: 'PRINTERMASTER_REDIS_PREFIX',
    group: 'cluster',
    description: 'Prefix of every Redis key and channel, so several deployments can share one Redis',
    default: 'printermaster:',
  }),
  instanceId: text({
    name: 'PRINTERMASTER_INSTANCE_ID',
    group: 'cluster',
    description: 'Name of this gateway process in logs and the service registry',
    default: undefined,
    defaultText: '<hostname>-<pid>',
  }),
} as const;
