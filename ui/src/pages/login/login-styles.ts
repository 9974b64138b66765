import { css } from 'lit';

/** The centred card of the login and password pages. */
export const loginStyles = css`
  :host {
    display: flex;
    min-height: 100vh;
    align-items: center;
    justify-content: center;
    background: linear-gradient(160deg, var(--pbx-primary, #1f4e8c) 0 38%, #f3f5f7 38% 100%);
    padding: 1rem;
  }
  .card {
    width: 100%;
    max-width: 26rem;
    padding: 2rem;
    box-shadow: 0 10px 40px rgb(0 0 0 / 0.18);
  }
  .brand {
    display: flex;
    align-items: center;
    gap: 0.75rem;
    margin-bottom: 1.25rem;
  }
  .brand img {
    height: 2.75rem;
    max-width: 10rem;
    object-fit: contain;
  }
  .brand span {
    font-size: 1.35rem;
    font-weight: 700;
  }
  .field {
    max-width: none;
  }
  input {
    width: 100%;
  }
  button[type='submit'] {
    width: 100%;
    margin-top: 0.5rem;
  }
  .top {
    display: flex;
    justify-content: flex-end;
    margin-bottom: 0.5rem;
  }
  .links {
    display: flex;
    gap: 1rem;
    flex-wrap: wrap;
    margin-top: 1.25rem;
    font-size: 0.85rem;
  }
  .login-text {
    white-space: pre-line;
  }
`;
