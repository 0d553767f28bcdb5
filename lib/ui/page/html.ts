/// <reference lib="dom" />
/**
 * htm bound to Preact's `h` (htm's own `htm/preact` binding): templates as tagged literals.
 * Every `${value}` becomes a text node or an attribute value, escaped by Preact; nothing on
 * this page builds HTML from strings.
 */
export { html } from 'htm/preact';
