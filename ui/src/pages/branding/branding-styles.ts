import { css } from 'lit';

export const brandingStyles = css`
  .layout {
    display: grid;
    grid-template-columns: minmax(0, 1fr) minmax(16rem, 22rem);
    gap: 1.5rem;
    align-items: start;
  }
  @media (max-width: 1023px) {
    .layout {
      grid-template-columns: 1fr;
    }
  }
  input.hex {
    width: 7rem;
    font-family: ui-monospace, monospace;
  }
  input[type='color'] {
    width: 3rem;
    padding: 0.1rem;
  }
  textarea {
    width: 100%;
  }
  fieldset {
    border: 1px solid #dde3e9;
    border-radius: 8px;
    margin: 0 0 1rem;
    padding: 0.75rem;
  }
  .link-row {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    flex-wrap: wrap;
  }
  .link-row .field {
    flex: 1 1 12rem;
  }
  .link-row button {
    margin-top: 1.7rem;
  }
  .warning {
    margin-top: 0.4rem;
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
    align-items: center;
  }
  .preview .bar {
    display: flex;
    gap: 0.6rem;
    align-items: center;
    background: var(--pbx-primary);
    color: #fff;
    padding: 0.5rem 0.75rem;
    border-radius: 6px;
  }
  .preview .bar img {
    height: 1.75rem;
    max-width: 7rem;
    object-fit: contain;
  }
  .images {
    margin-top: 1rem;
  }
`;
