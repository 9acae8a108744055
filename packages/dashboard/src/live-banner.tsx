import { useEffect, useState } from 'preact/hooks';
import type { LiveConnection, LiveState } from './live.js';

/** Says plainly when live updates stop and when they are back; silent while all is well. */
export function LiveBanner({ live }: { live: LiveConnection }) {
  const [state, setState] = useState<LiveState>(live.current);
  useEffect(() => live.onState(setState), [live]);
  return (
    <div class="live-region" role="status" aria-live="polite">
      {state === 'lost' && (
        <p class="banner banner-bad" data-testid="live-lost">
          Live connection lost. What you see may be out of date; reconnecting…
        </p>
      )}
      {state === 'restored' && (
        <p class="banner banner-good" data-testid="live-restored">
          Live connection restored. The page is up to date again.
        </p>
      )}
    </div>
  );
}
