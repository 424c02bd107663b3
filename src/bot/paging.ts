/**
 * Long lists on a phone: a page of rows at a time, with ◀ ▶ buttons that edit the same message
 * (no wall of text, no 15 rows of buttons). Pure, so the pages are table-tested.
 */
import type { CallbackAction } from './callback-data.js';
import type { ButtonSpec } from './progress-view.js';

export interface PageSlice<T> {
  items: T[];
  /** Zero-based, clamped to the pages there are. */
  page: number;
  pages: number;
  /** 1-based positions in the whole list of the first and last row shown. */
  from: number;
  to: number;
}

export function pageSlice<T>(items: T[], page: number, size: number): PageSlice<T> {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const start = p * size;
  const shown = items.slice(start, start + size);
  return { items: shown, page: p, pages, from: shown.length ? start + 1 : 0, to: start + shown.length };
}

/** ◀ 2/5 ▶ (arrows only where there is a page that way); empty when everything fits on one page. */
export function pagerRow(action: CallbackAction, jobId: number, slice: { page: number; pages: number }): ButtonSpec[] {
  if (slice.pages <= 1) return [];
  const row: ButtonSpec[] = [];
  if (slice.page > 0) row.push({ text: '◀', action, id: jobId, arg: slice.page - 1 });
  row.push({ text: `${slice.page + 1}/${slice.pages}`, action, id: jobId, arg: slice.page });
  if (slice.page < slice.pages - 1) row.push({ text: '▶', action, id: jobId, arg: slice.page + 1 });
  return row;
}
