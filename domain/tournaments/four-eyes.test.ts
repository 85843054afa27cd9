/** The daily cumulative four eyes on tournament pools across currencies (four-eyes.ts). */
import { describe, expect, it } from 'vitest';
import { fourEyesDailyCumulativeMinor } from '../backoffice';
import { pastDailyCumulative } from './four-eyes';

describe('tournament pools one operator creates alone in a day', () => {
  const eur = fourEyesDailyCumulativeMinor('EUR');
  const gbp = fourEyesDailyCumulativeMinor('GBP');
  it('up to the threshold in one currency, not past it', () => {
    expect(pastDailyCumulative([], 'EUR', eur)).toBe(false);
    expect(pastDailyCumulative([{ currency: 'EUR', total_minor: eur - 1 }], 'EUR', 1)).toBe(false);
    expect(pastDailyCumulative([{ currency: 'EUR', total_minor: eur }], 'EUR', 1)).toBe(true);
  });
  it('the shares of every currency add up (review 2): a full EUR day leaves nothing in GBP', () => {
    expect(pastDailyCumulative([{ currency: 'EUR', total_minor: eur }], 'GBP', 1)).toBe(true);
    expect(pastDailyCumulative([{ currency: 'EUR', total_minor: eur / 2 }], 'GBP', gbp / 2)).toBe(false);
    expect(pastDailyCumulative([{ currency: 'EUR', total_minor: eur / 2 }, { currency: 'BTC', total_minor: fourEyesDailyCumulativeMinor('BTC') / 4 }], 'GBP', gbp / 2)).toBe(true);
  });
});
