/** Athena/Glue type of a curated column. */
export type ColumnType = 'date' | 'timestamp' | 'string' | 'int' | 'bigint' | 'boolean' | 'double';

export interface ColumnSpec<Name extends string = string> {
  readonly name: Name;
  readonly type: ColumnType;
  /** Free text from Spotify. */
  readonly text: boolean;
  /** An array in the record, a list cell in the CSV. */
  readonly list: boolean;
  /** A list with one element per element of that other list (ids beside names): read back aligned. */
  readonly alignedWith?: Name;
  readonly description: string;
}

export const column = <Name extends string>(
  name: Name,
  type: ColumnType,
  description: string,
  flags: { text?: boolean; list?: boolean; alignedWith?: Name } = {},
): ColumnSpec<Name> => ({
  name,
  type,
  description,
  text: flags.text ?? false,
  list: flags.list ?? flags.alignedWith !== undefined,
  ...(flags.alignedWith === undefined ? {} : { alignedWith: flags.alignedWith }),
});

/** A curated dataset: its rows' columns in file order, the last one being its partition key. */
export interface DatasetSpec<Name extends string = string> {
  readonly name: string;
  readonly columns: readonly ColumnSpec<Name>[];
  readonly partitionKey: Name;
}
