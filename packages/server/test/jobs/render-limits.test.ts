import { describeRenderLimits } from './render-limits.contract.js';

describeRenderLimits('pglite');
