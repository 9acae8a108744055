import { useEffect, useState } from 'preact/hooks';
import type { AdminSection } from './route.js';
import type { Printer, User } from './types.js';

type Sections = typeof import('./admin-sections.js');

/**
 * The administration view, loaded when first opened: its code and styles are a chunk of their
 * own, which cashiers, who never see it, never download.
 */
export function AdminView(props: { section: AdminSection; id: string | undefined; user: User; printers: Printer[] }) {
  const [sections, setSections] = useState<Sections | undefined>();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('./admin-sections.js').then(setSections, () => setFailed(true));
  }, []);
  if (failed) {
    return (
      <p class="banner banner-bad" role="alert">
        The administration pages could not be loaded (the gateway may have been updated): reload the page.
      </p>
    );
  }
  if (!sections) return <p aria-busy="true">Loading…</p>;
  return <sections.AdminSections section={props.section} id={props.id} user={props.user} printers={props.printers} />;
}
