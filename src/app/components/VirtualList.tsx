// A long list that keeps only the rows near the screen in the DOM, so a group
// of 2,500 households renders as fast as one of 25. The page scrolls as a
// whole (the window is the scroller), rows may differ in height (each is
// measured once drawn), and the order is exactly the order of `items`.
//
// Accessibility: a real list (role="list"), each row a listitem that says its
// place in the whole list (aria-posinset / aria-setsize), since a screen reader
// sees only the rows drawn. Tab moves through the rows' links as usual: the
// rows around the focused one are always drawn (overscan), and focusing a row
// scrolls it into view, which draws the next ones. Home and End jump to the
// first and last row.
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useWindowVirtualizer } from '@tanstack/react-virtual';
import './VirtualList.css';

export interface VirtualListProps<T> {
  items: readonly T[];
  getKey: (item: T, index: number) => string;
  renderItem: (item: T, index: number) => ReactNode;
  /** The list's accessible name. */
  label?: string | undefined;
  className?: string | undefined;
  itemClassName?: ((item: T) => string) | string | undefined;
  /** A typical row's height in px, before it is measured. */
  estimateSize?: number | undefined;
  /** Rows drawn beyond each edge of the screen. */
  overscan?: number | undefined;
}

/** A drawn row's height; jsdom (tests) measures 0, so the estimate stands in. */
function measure(el: Element, estimate: number): number {
  return el.getBoundingClientRect().height || estimate;
}

export function VirtualList<T>({
  items,
  getKey,
  renderItem,
  label,
  className = 'rows',
  itemClassName,
  estimateSize = 88,
  overscan = 8,
}: VirtualListProps<T>) {
  const listRef = useRef<HTMLUListElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);
  // Where the list starts on the page (the rows' offsets are relative to it):
  // again whenever the items change, since what is above may have changed too.
  useLayoutEffect(() => {
    const top = listRef.current ? listRef.current.getBoundingClientRect().top + window.scrollY : 0;
    if (top !== scrollMargin) setScrollMargin(top);
  }, [items, scrollMargin]);
  const virtualizer = useWindowVirtualizer({
    count: items.length,
    estimateSize: () => estimateSize,
    overscan,
    scrollMargin,
    getItemKey: (index) => getKey(items[index]!, index),
    measureElement: (el) => measure(el, estimateSize),
  });
  const pendingFocus = useRef<number | undefined>(undefined);
  const rows = virtualizer.getVirtualItems();

  // After Home / End: focus the row's first control once it is drawn.
  useLayoutEffect(() => {
    const index = pendingFocus.current;
    if (index === undefined) return;
    const el = listRef.current?.querySelector<HTMLElement>(`[data-index="${index}"] a, [data-index="${index}"] button`);
    if (el) {
      pendingFocus.current = undefined;
      el.focus();
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (e.key !== 'Home' && e.key !== 'End') return;
    if (!(e.target instanceof HTMLElement) || !e.target.closest('[data-index]')) return;
    e.preventDefault();
    const index = e.key === 'Home' ? 0 : items.length - 1;
    pendingFocus.current = index;
    virtualizer.scrollToIndex(index, { align: 'auto' });
  };

  return (
    <ul
      ref={listRef}
      role="list"
      aria-label={label}
      className={`${className} virtual-list`}
      style={{ height: virtualizer.getTotalSize() }}
      onKeyDown={onKeyDown}
    >
      {rows.map((row) => {
        const item = items[row.index]!;
        const extra = typeof itemClassName === 'function' ? itemClassName(item) : (itemClassName ?? '');
        return (
          <li
            key={row.key}
            ref={virtualizer.measureElement}
            data-index={row.index}
            role="listitem"
            aria-setsize={items.length}
            aria-posinset={row.index + 1}
            className={`virtual-row ${extra}`.trim()}
            style={{ transform: `translateY(${row.start - scrollMargin}px)` }}
          >
            {renderItem(item, row.index)}
          </li>
        );
      })}
    </ul>
  );
}
