import { describeEventFeed } from './event-feed.contract.js';

describeEventFeed('pglite');
