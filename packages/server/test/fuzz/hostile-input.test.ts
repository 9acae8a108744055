import { describeHostileInput } from './hostile-input.contract.js';

describeHostileInput('pglite');
