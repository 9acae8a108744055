/** A station of a branch (grill, bar, expo…) and its printers, first choice first. */
export interface Station {
  id: string;
  companyId: string;
  branchId: string;
  name: string;
  printerIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface StationStore {
  /** Throws `CONFLICT` when the branch already has a station of that name. */
  insert(station: {
    id: string;
    companyId: string;
    branchId: string;
    name: string;
    printerIds: string[];
  }): Promise<Station>;
  find(id: string): Promise<Station | undefined>;
  list(filter: { companyId?: string; branchId?: string }): Promise<Station[]>;
  /** The stations whose printers include `printerId`. */
  withPrinter(printerId: string): Promise<Station[]>;
  /** `undefined` when there is none of that id; `CONFLICT` on a name taken in the branch. */
  update(id: string, fields: { name?: string; printerIds?: string[] }): Promise<Station | undefined>;
  delete(id: string): Promise<boolean>;
}
