/** One page of a list operation: `{ data, has_more, next_cursor }`. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  next_cursor?: string | null;
}

/**
 * Any list operation of the SDK, e.g. `cos.apiKeys.list`: it takes options with an optional
 * `query.cursor` and resolves to `{ data: Page<T> }` (the generated methods' result).
 */
export type ListOperation = (options?: any) => Promise<{ data?: Page<unknown> | undefined }>;

/** The options a list operation takes. */
export type ListOptionsOf<F> = F extends (options?: infer O) => unknown
  ? O
  : F extends (options: infer O) => unknown
    ? O
    : never;

/** The item type of a list operation's pages. */
export type ListItemOf<F> = F extends (...args: never[]) => Promise<infer R>
  ? R extends { data: Page<infer T> }
    ? T
    : never
  : never;

interface CursorOptions {
  query?: { cursor?: string | undefined } | undefined;
}

/** Iterates over the pages of a list operation, following `next_cursor` until `has_more` is false. */
export async function* paginatePages<F extends ListOperation>(
  operation: F,
  options?: ListOptionsOf<F>,
): AsyncGenerator<Page<ListItemOf<F>>, void, undefined> {
  const base = (options ?? {}) as CursorOptions;
  let cursor = base.query?.cursor;
  for (;;) {
    const query = { ...base.query, ...(cursor === undefined ? {} : { cursor }) };
    const { data: page } = await operation({ ...base, query });
    if (!page) {
      return;
    }
    yield page as Page<ListItemOf<F>>;
    if (!page.has_more || !page.next_cursor) {
      return;
    }
    cursor = page.next_cursor;
  }
}

/**
 * The items of a list operation, fetched page by page as the iteration goes:
 * `for await (const item of paginator)`. `paginator.pages()` iterates over whole pages instead.
 */
export class Paginator<F extends ListOperation> implements AsyncIterable<ListItemOf<F>> {
  readonly #operation: F;
  readonly #options: ListOptionsOf<F> | undefined;

  constructor(operation: F, options?: ListOptionsOf<F>) {
    this.#operation = operation;
    this.#options = options;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ListItemOf<F>, void, undefined> {
    for await (const page of this.pages()) {
      yield* page.data;
    }
  }

  /** Iterates over whole pages (`{ data, has_more, next_cursor }`). */
  pages(): AsyncGenerator<Page<ListItemOf<F>>, void, undefined> {
    return paginatePages(this.#operation, this.#options);
  }

  /** Collects every item into an array (for small lists). */
  async toArray(): Promise<ListItemOf<F>[]> {
    const items: ListItemOf<F>[] = [];
    for await (const item of this) {
      items.push(item);
    }
    return items;
  }
}

/**
 * Iterates over every item of any list operation (one that answers `{ data, has_more,
 * next_cursor }` and takes `query.cursor`), page after page:
 *
 * ```ts
 * for await (const key of paginate(cos.apiKeys.list, { query: { limit: 50 } })) { … }
 * ```
 */
export function paginate<F extends ListOperation>(
  operation: F,
  options?: ListOptionsOf<F>,
): Paginator<F> {
  return new Paginator(operation, options);
}
