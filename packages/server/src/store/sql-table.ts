/**
 * Table-driven mapping between store records and SQLite rows, used for reading and for writing: one
 * line per field names how it is stored, and the column is the field's name in snake_case
 * (`clientTokenHash` ↔ `client_token_hash`). A new field is one line here plus its migration; the
 * type below refuses a table that leaves out a field of its record.
 */

/** How one field is stored. */
export interface Codec {
  /** Record value → SQL parameter. */
  write(value: unknown): unknown;
  /** Column value → record value; `undefined` leaves the field out of the record. */
  read(value: unknown): unknown;
}

const parseJson = (value: unknown): unknown => JSON.parse(value as string);

export const codecs = {
  /** Stored as is (TEXT or INTEGER NOT NULL). */
  value: { write: (v) => v, read: (v) => v },
  /** Stored as is; a missing value is NULL, and NULL reads as null. */
  nullable: { write: (v) => v ?? null, read: (v) => v ?? null },
  /** Like `nullable`, but NULL leaves the field out of the record (optional fields). */
  optional: { write: (v) => v ?? null, read: (v) => (v === null ? undefined : v) },
  /** JSON text, never NULL. */
  json: { write: (v) => JSON.stringify(v), read: parseJson },
  /** JSON text, or NULL for null / undefined. */
  nullableJson: {
    write: (v) => (v === null || v === undefined ? null : JSON.stringify(v)),
    read: (v) => (v === null || v === undefined ? null : parseJson(v)),
  },
  /** INTEGER 0 / 1. */
  boolean: { write: (v) => (v ? 1 : 0), read: (v) => v !== 0 && v !== 0n && v !== null },
} satisfies Record<string, Codec>;

export type CodecName = keyof typeof codecs;

interface Column {
  field: string;
  column: string;
  codec: Codec;
}

export interface SqlTable<R> {
  readonly name: string;
  /** Every column, in the order of `values()`. */
  readonly columns: readonly string[];
  /** `INSERT INTO <table> (<every column>) VALUES (?, …)`, to be followed by an ON CONFLICT clause or nothing. */
  readonly insertSql: string;
  /** The record's values in column order, written by their codecs (the parameters of `insertSql`). */
  values(record: R): unknown[];
  /** A row read with `SELECT *` (extra columns such as `seq` are ignored) → the record. */
  read(row: unknown): R;
  /** The column that stores `field`. */
  column(field: keyof R & string): string;
  /** One field's value written by its codec. */
  write(field: keyof R & string, value: unknown): unknown;
}

const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The mapping of table `name`: every field of `R` with the codec that stores it. */
export function sqlTable<R>(name: string, fields: { [K in keyof R]-?: CodecName }): SqlTable<R> {
  const columns: Column[] = Object.entries(fields as Record<string, CodecName>).map(([field, codec]) => ({
    field,
    column: snakeCase(field),
    codec: codecs[codec],
  }));
  const byField = new Map(columns.map((c) => [c.field, c]));
  const columnOf = (field: string): Column => {
    const found = byField.get(field);
    if (!found) throw new Error(`${name} has no field ${field}`);
    return found;
  };
  return {
    name,
    columns: columns.map((c) => c.column),
    insertSql: `INSERT INTO ${name} (${columns.map((c) => c.column).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    values: (record) => columns.map((c) => c.codec.write((record as Record<string, unknown>)[c.field])),
    read: (row) => {
      const source = row as Record<string, unknown>;
      const record: Record<string, unknown> = {};
      for (const c of columns) {
        const value = c.codec.read(source[c.column]);
        if (value !== undefined) record[c.field] = value;
      }
      return record as R;
    },
    column: (field) => columnOf(field).column,
    write: (field, value) => columnOf(field).codec.write(value),
  };
}
