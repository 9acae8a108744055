import { createMemoryCluster } from '../../src/cluster/cluster.js';
import { describeCluster } from './cluster.contract.js';

describeCluster('memory', async () => ({ cluster: createMemoryCluster(), teardown: async () => {} }));
