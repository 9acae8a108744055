import { startTestGateway, type TestGateway, type TestGatewayOptions } from '../support/test-gateway.js';

/** A gateway with one tenant, a cashier's token for its branch, and a network printer "Kitchen" there. */
export async function startKitchenGateway(
  options: TestGatewayOptions,
): Promise<{ gw: TestGateway; cashier: string; printerId: string }> {
  const gw = await startTestGateway(options);
  const tenant = await gw.seedTenant();
  const scope = { companyId: tenant.companyId, branchId: tenant.branchId };
  const cashier = await gw.token('cashier', scope);
  const res = await fetch(`${gw.url}/printing/printers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await gw.token('branch_manager', scope)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ branchId: tenant.branchId, name: 'Kitchen', ip: '127.0.0.1', port: 9100 }),
  });
  const printerId = ((await res.json()) as { printer: { id: string } }).printer.id;
  return { gw, cashier, printerId };
}
