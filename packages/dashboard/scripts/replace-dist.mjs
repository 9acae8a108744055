// Puts a finished build (dist.next) in the place of the last one (dist) with two renames. Vite
// empties its output folder before it writes: building into dist itself would leave a gateway
// serving this checkout without a dashboard for as long as the build runs ("not built"), as a
// `npm run build` beside running gateways (a deploy, the runbook's test) showed.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));
const [next, dist, old] = [here('dist.next'), here('dist'), here('dist.old')];

if (!existsSync(next)) throw new Error(`no build in ${next}`);
rmSync(old, { recursive: true, force: true });
if (existsSync(dist)) renameSync(dist, old);
renameSync(next, dist);
rmSync(old, { recursive: true, force: true });
