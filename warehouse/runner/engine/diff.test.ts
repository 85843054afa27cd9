import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('select 1\nfrom t\n', 'select 1\nfrom t')).toBe('');
  });

  it('shows changed lines with context, in hunks with line numbers', () => {
    const a = ['select', '  a,', '  b', 'from t', 'where x', 'group by 1', 'l7', 'l8', 'l9', 'l10', 'l11', 'l12'].join('\n');
    const b = ['select', '  a,', '  b,', '  c', 'from t', 'where x', 'group by 1', 'l7', 'l8', 'l9', 'l10', 'l11', 'l12 -- end'].join('\n');
    expect(unifiedDiff(a, b, { oldName: 'prod', newName: 'local', context: 1 })).toBe([
      '--- prod', '+++ local',
      '@@ -2,3 +2,4 @@', '   a,', '-  b', '+  b,', '+  c', ' from t',
      '@@ -11,2 +12,2 @@', ' l11', '-l12', '+l12 -- end',
    ].join('\n'));
  });

  it('handles texts that are entirely added or removed', () => {
    expect(unifiedDiff('', 'select 1')).toBe(['--- old', '+++ new', '@@ -1,1 +1,1 @@', '-', '+select 1'].join('\n'));
  });
});
