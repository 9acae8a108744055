import { useCallback, useEffect, useState } from 'preact/hooks';
import { type AdminContext, ErrorAlert, errorText } from './admin-common.js';
import { api } from './api.js';
import { ApiKeysAdmin } from './api-keys-admin.js';
import { BranchesAdmin } from './branches-admin.js';
import { LicencesAdmin } from './licences-admin.js';
import { ADMIN_SECTIONS, type AdminSection, adminHref } from './route.js';
import { StationsAdmin } from './stations-admin.js';
import type { Branch, CompanyView, Printer, User } from './types.js';
import { WebhookDeliveries } from './webhook-deliveries.js';
import { WebhooksAdmin } from './webhooks-admin.js';
import './admin.css';

const SECTION_LABELS: Record<AdminSection, string> = {
  branches: 'Branches',
  stations: 'Stations',
  licences: 'Licences',
  'api-keys': 'API keys',
  webhooks: 'Webhooks',
};

/**
 * Branches, stations, licences, API keys and webhooks, for super admins, company owners and branch
 * managers. Each section offers only what the user's role may do (docs/admin-api.md); the
 * gateway decides all the same, and its refusal is shown as it words it.
 */
export function AdminSections({
  section,
  id,
  user,
  printers,
}: {
  section: AdminSection;
  id: string | undefined;
  user: User;
  /** The fleet's printers, kept current by the live socket: the stations show their status. */
  printers: Printer[];
}) {
  const [branches, setBranches] = useState<Branch[]>([]);
  const [companies, setCompanies] = useState<CompanyView[]>([]);
  const [error, setError] = useState<string | undefined>();

  // Read here rather than taken from the fleet: a branch created or renamed on these pages shows at once.
  const reloadBranches = useCallback(async () => {
    try {
      const [b, c] = await Promise.all([
        api<{ branches: Branch[] }>('GET', '/admin/branches'),
        user.role === 'branch_manager'
          ? Promise.resolve({ companies: [] as CompanyView[] })
          : api<{ companies: CompanyView[] }>('GET', '/admin/companies'),
      ]);
      setBranches(b.branches);
      setCompanies(c.companies);
      setError(undefined);
    } catch (err) {
      setError(`Could not read the branches: ${errorText(err)}`);
    }
  }, [user.role]);
  useEffect(() => {
    void reloadBranches();
  }, [reloadBranches]);

  const context: AdminContext = { user, branches, companies, reloadBranches };
  return (
    <section aria-labelledby="admin-title" class="admin">
      <h1 id="admin-title">Administration</h1>
      <nav aria-label="Administration" class="tabs">
        {ADMIN_SECTIONS.map((s) => (
          <a key={s} href={adminHref(s)} aria-current={s === section ? 'page' : undefined}>
            {SECTION_LABELS[s]}
          </a>
        ))}
      </nav>
      <ErrorAlert error={error} />
      {section === 'branches' && <BranchesAdmin {...context} />}
      {section === 'stations' && <StationsAdmin {...context} printers={printers} />}
      {section === 'licences' && <LicencesAdmin {...context} />}
      {section === 'api-keys' && <ApiKeysAdmin {...context} />}
      {section === 'webhooks' && !id && <WebhooksAdmin {...context} />}
      {section === 'webhooks' && id && <WebhookDeliveries id={id} {...context} />}
    </section>
  );
}
