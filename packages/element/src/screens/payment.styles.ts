import { css } from '../element-base.js';

/**
 * The styles only the payment part's screens use (results, the countdown, secondary actions): they
 * come with that chunk and are adopted beside the element's own when it loads.
 */
export const paymentStyles = css`
  :host {
    --_success: var(--pwb-color-success, #1a7f37);
  }

  .button.secondary {
    width: 100%;
  }

  .status-icon {
    display: inline-block;
    width: 2.5rem;
    height: 2.5rem;
    margin-bottom: 0.5em;
    border-radius: 50%;
    font-size: 1.5rem;
    line-height: 2.5rem;
    text-align: center;
    color: var(--_on-primary);
    background: var(--_muted);
  }

  .status-icon.success {
    background: var(--_success);
  }

  .status-icon.failure {
    background: var(--_error);
  }

  .countdown {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  @media (forced-colors: active) {
    .status-icon {
      forced-color-adjust: auto;
      border: 2px solid ButtonText;
    }
  }
`;
