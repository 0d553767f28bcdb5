/// <reference lib="dom" />
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';

/** The browser's clock: the page has no other (the engine's own code reads an injected Clock). */
export function now(): number {
  // eslint-disable-next-line no-restricted-syntax -- a page in a browser tells time by the browser's clock
  return Date.now();
}

/** "4 min 5 s", "2 h 3 min", "850 ms": the two largest units. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  const s = Math.round(seconds);
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3_600), 'h'],
    [Math.floor((s % 3_600) / 60), 'min'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([count]) => count > 0);
  return parts
    .slice(first, first + 2)
    .filter(([count]) => count > 0)
    .map(([count, unit]) => `${count} ${unit}`)
    .join(' ');
}

/** "4 min ago", "in 2 h", "just now". */
export function relative(iso: string, at = now()): string {
  const seconds = (new Date(iso).getTime() - at) / 1000;
  if (Number.isNaN(seconds)) return iso;
  if (Math.abs(seconds) < 5) return 'just now';
  const text = formatDuration(Math.abs(seconds)).split(' ').slice(0, 2).join(' ');
  return seconds < 0 ? `${text} ago` : `in ${text}`;
}

/** The exact time, in UTC as the API gives it and in the browser's own zone. */
export function exact(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().replace('T', ' ').replace('Z', ' UTC')} (${date.toLocaleString()} local)`;
}

/** A time as "4 min ago", the exact time on hover (`title`) and in `datetime`. */
export function Time({ at, full = false }: { at?: string; full?: boolean }) {
  if (!at) return html`<span class="muted">—</span>`;
  return html`<time datetime=${at} title=${exact(at)}>${relative(at)}</time>${full ? html` <span class="exact">${exact(at)}</span>` : null}`;
}

/** Time left until `until`, counting down each second; `onEnd` once it has passed. */
export function Countdown({ until, onEnd }: { until: string; onEnd?: () => void }) {
  const end = new Date(until).getTime();
  const [left, setLeft] = useState(() => Math.max(0, end - now()));
  useEffect(() => {
    setLeft(Math.max(0, end - now()));
    const timer = setInterval(() => {
      const remaining = Math.max(0, end - now());
      setLeft(remaining);
      if (remaining === 0) {
        clearInterval(timer);
        onEnd?.();
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [end]);
  return html`<span role="timer" class="countdown" title=${`until ${exact(until)}`}>${left > 0 ? `${formatDuration(Math.ceil(left / 1000))} left` : 'ended'}</span>`;
}
