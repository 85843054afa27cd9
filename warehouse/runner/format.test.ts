import { describe, expect, it } from 'vitest';
import { formatTable } from './format';

describe('formatTable', () => {
  it('says so when there are no rows', () => {
    expect(formatTable([])).toBe('(no rows)');
  });

  it('pads columns to their widest cell, NULL as empty and objects as JSON', () => {
    const text = formatTable([
      { model: 'marts.a', rows: 12, extra: null },
      { model: 'b', rows: 3, extra: { k: [1, 2] } },
    ]);
    expect(text.split('\n')).toEqual([
      'model    rows  extra',
      '-------  ----  -----------',
      'marts.a  12',
      'b        3     {"k":[1,2]}',
    ]);
  });

  it('cuts cells wider than 60 characters with an ellipsis', () => {
    const text = formatTable([{ payload: 'x'.repeat(100) }]);
    const last = text.split('\n')[2]!;
    expect(last).toHaveLength(60);
    expect(last.endsWith('…')).toBe(true);
  });
});
