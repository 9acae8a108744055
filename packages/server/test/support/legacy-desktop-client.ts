import { io, type Socket } from 'socket.io-client';

export interface LegacyPrinter {
  name: string;
  type: string;
  connection: string;
  status: string;
  ip?: string | null;
  port?: number | null;
}

export interface LegacyClientOptions {
  serverUrl: string;
  licenseKey: string;
  deviceId: string;
  printers: LegacyPrinter[];
  /** The discovery cycle (bulk REST + sync events + printer:discovered). The real client: 30 s. */
  discoveryIntervalMs?: number;
  /** Delay of its `printer:test:result`. The real client: about 20 s. */
  testResultDelayMs?: number;
}

/**
 * Behaves as docs/protocol.md#legacy-desktop-clients describes the "RestaurantPrint Pro" 2.0.0
 * desktop client: licence REST, websocket-only socket, join + status, a
 * discovery cycle as its only liveness signal, test ack in milliseconds and a
 * late `success: false, "Print job timeout"` result, failing content jobs,
 * no acknowledgements, no correlation IDs, and at most 10 reconnection attempts.
 */
export class LegacyDesktopClient {
  socket: Socket | undefined;
  branchId = '';
  readonly testsReceived: { printerId: string; printerName: string; correlationId?: string }[] = [];
  /** `printer:test:result` events sent so far. */
  resultsSent = 0;
  readonly jobsReceived: string[] = [];
  readonly bulkResponses: unknown[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: LegacyClientOptions) {}

  /** Validates the licence over REST; returns the response body. */
  async validate(): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.options.serverUrl}/api/v1/printer-licenses/validate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        licenseKey: this.options.licenseKey,
        deviceInfo: {
          deviceId: this.options.deviceId,
          hostname: 'POS-PC-01',
          platform: 'win32',
          arch: 'x64',
          totalmem: 8_589_934_592,
          cpus: 4,
          version: '2.0.0',
          timestamp: new Date().toISOString(),
        },
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The full connect sequence; resolves once the socket is connected. */
  async start(): Promise<void> {
    const { status, body } = await this.validate();
    if (status >= 300) throw new Error(`licence validation failed: ${status} ${JSON.stringify(body)}`);
    const data = body.data as { licenseKey: string; branchId: string; deviceInfo: { deviceId: string } };
    this.branchId = data.branchId;
    const socket = io(`${this.options.serverUrl}/printing-ws`, {
      transports: ['websocket'],
      reconnectionAttempts: 10,
      reconnectionDelay: 1_000,
      reconnectionDelayMax: 5_000,
      auth: {
        licenseKey: data.licenseKey,
        branchId: data.branchId,
        deviceId: data.deviceInfo.deviceId,
        instanceId: `${data.deviceInfo.deviceId}-instance`,
        userRole: 'desktop_app',
        appVersion: '2.0.0',
      },
    });
    this.socket = socket;
    socket.on('connect', () => {
      socket.emit('join:branch', { branchId: this.branchId });
      socket.emit('desktop:status', { status: 'connected', timestamp: new Date().toISOString(), version: '2.0.0' });
      void this.discover();
    });
    socket.on('printer:test', (req: { printerId: string; printerName: string; correlationId?: string }) => {
      this.testsReceived.push(req);
      socket.emit('printer:test:ack', {
        printerId: req.printerId,
        message: 'Test print received',
        timestamp: new Date().toISOString(),
      });
      setTimeout(() => {
        this.resultsSent++;
        socket.emit('printer:test:result', {
          printerId: req.printerId,
          success: false,
          message: 'Print job timeout',
          timestamp: new Date().toISOString(),
        });
      }, this.options.testResultDelayMs ?? 20_000);
    });
    socket.on('print:job', (job: { id: string; printerId: string }) => {
      this.jobsReceived.push(job.id);
      socket.emit('print:job:failed', {
        jobId: job.id,
        printerId: job.printerId,
        error: "TypeError: Cannot read properties of undefined (reading 'data')",
        timestamp: new Date().toISOString(),
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    this.timer = setInterval(() => void this.discover(), this.options.discoveryIntervalMs ?? 30_000);
  }

  /** One discovery cycle. */
  async discover(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    const printers = this.options.printers.map((p) => ({
      ...p,
      manufacturer: 'Epson',
      model: 'TM-T88V',
      location: 'Kitchen',
      paperWidth: 80,
      assignedTo: null,
      isDefault: false,
      capabilities: ['cut', 'cash_drawer'],
      branchId: this.branchId,
      discoveryMethod: 'network_scan',
      discoveredBy: this.options.deviceId,
      systemPrinter: null,
    }));
    try {
      const res = await fetch(`${this.options.serverUrl}/api/v1/printing/printers/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ branchId: this.branchId, printers }),
      });
      const body = (await res.json()) as { results?: { id: string; success: boolean; duplicate: boolean }[] };
      this.bulkResponses.push({ status: res.status, body });
      const results = body.results ?? [];
      results.forEach((r, i) => {
        socket.emit('printer:sync:success', {
          printer: printers[i],
          backendId: r.id,
          timestamp: new Date().toISOString(),
        });
      });
      socket.emit('printer:sync:batch-completed', {
        results: {
          success: results.filter((r) => r.success).length,
          failed: results.filter((r) => !r.success).length,
          duplicates: results.filter((r) => r.duplicate).length,
          total: results.length,
        },
        timestamp: new Date().toISOString(),
      });
    } catch (err) {
      socket.emit('printer:sync:error', { error: String(err), printers, timestamp: new Date().toISOString() });
    }
    for (const p of printers) {
      socket.emit('printer:discovered', {
        id: `${this.options.deviceId}-${p.name}`,
        name: p.name,
        type: p.type,
        connection: p.connection,
        status: p.status,
        branchId: this.branchId,
        discoveredBy: this.options.deviceId,
        discoveryMethod: 'network_scan',
        timestamp: new Date().toISOString(),
        device: p.ip ? { ip: p.ip, port: p.port } : undefined,
        capabilities: ['cut'],
      });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.socket?.close();
  }
}
