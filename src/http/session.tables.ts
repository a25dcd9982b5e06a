/** The session store's table (connect-pg-simple's shape, migration-created): owned by src/http/session-store.ts. */
export interface HttpSessionTable {
  sid: string;
  sess: unknown;
  expires_at: Date;
}

export interface SessionTables {
  http_session: HttpSessionTable;
}
