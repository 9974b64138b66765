// Styles every page shares. Colours come from CSS custom properties set by
// the branding (see app/apply-branding.ts), so a bank's colours reach every
// shadow root without rebuilding.
import { css } from 'lit';

export const shared = css`
  :host {
    font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    color: var(--pbx-text, #1b1f24);
    font-size: 15px;
    line-height: 1.45;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1 {
    font-size: 1.5rem;
    margin: 0 0 1rem;
  }
  h2 {
    font-size: 1.15rem;
    margin: 1.5rem 0 0.75rem;
  }
  a {
    color: var(--pbx-accent, #0b6b5d);
  }
  /* Two-tone ring: the dark outline shows on light surfaces, the yellow
     inner ring on the branded header, whatever the primary colour is. */
  :focus-visible {
    outline: 3px solid var(--pbx-focus-outer, #1b1f24);
    outline-offset: 2px;
    box-shadow: 0 0 0 2px var(--pbx-focus, #ffbf47);
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 6px;
    border: 1px solid var(--pbx-primary, #1f4e8c);
    background: var(--pbx-primary, #1f4e8c);
    color: var(--pbx-on-primary, #fff);
    padding: 0.45rem 1rem;
    min-height: 2.25rem;
  }
  button.secondary {
    background: #fff;
    color: var(--pbx-primary, #1f4e8c);
  }
  button.danger {
    background: #fff;
    color: #a4161a;
    border-color: #a4161a;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    margin-bottom: 0.9rem;
    max-width: 28rem;
  }
  label {
    font-weight: 600;
  }
  input,
  select,
  textarea {
    font: inherit;
    padding: 0.45rem 0.6rem;
    border: 1px solid #8a949e;
    border-radius: 6px;
    background: #fff;
    color: inherit;
    min-height: 2.25rem;
  }
  input[aria-invalid='true'],
  select[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: #a4161a;
  }
  .hint {
    color: #55606b;
    font-size: 0.85rem;
  }
  .field-error,
  .error {
    color: #a4161a;
    font-size: 0.9rem;
  }
  .field-error:empty {
    display: none;
  }
  .warning {
    color: #7a4d00;
    background: #fff6e0;
    border: 1px solid #e0b84f;
    border-radius: 6px;
    padding: 0.5rem 0.75rem;
  }
  .notice {
    border: 1px solid #c9d3dd;
    background: #f5f8fb;
    border-radius: 8px;
    padding: 0.75rem 1rem;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: start;
    padding: 0.45rem 0.6rem;
    border-bottom: 1px solid #e1e6eb;
    vertical-align: top;
  }
  th {
    font-weight: 600;
    background: #f5f7f9;
  }
  .table-wrap {
    overflow-x: auto;
  }
  .row {
    display: flex;
    gap: 0.75rem;
    flex-wrap: wrap;
    align-items: center;
  }
  .card {
    border: 1px solid #dde3e9;
    border-radius: 10px;
    padding: 1rem;
    background: #fff;
  }
  .muted {
    color: #55606b;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
