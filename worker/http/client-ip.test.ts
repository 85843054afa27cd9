import { describe, expect, it } from 'vitest';
import { rateLimitBucket } from './client-ip';

describe('rateLimitBucket', () => {
  it('keeps an IPv4 address as it is: one bucket per address', () => {
    expect(rateLimitBucket('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitBucket('203.0.113.8')).toBe('203.0.113.8');
  });

  it('puts every IPv6 address of one /64 into one bucket, however it is written', () => {
    const bucket = '2001:db8:aa:bb::/64';
    for (const ip of ['2001:db8:aa:bb::1', '2001:db8:aa:bb:ffff:1:2:3', '2001:0DB8:00AA:00BB:0000:0000:0000:0009', '2001:db8:aa:bb::', '2001:db8:aa:bb:1::2', '2001:db8:aa:bb::1%eth0']) {
      expect(rateLimitBucket(ip), ip).toBe(bucket);
    }
    expect(rateLimitBucket('2001:db8:aa:bc::1')).toBe('2001:db8:aa:bc::/64');
    expect(rateLimitBucket('::1')).toBe('0:0:0:0::/64');
    expect(rateLimitBucket('2001:db8::7')).toBe('2001:db8:0:0::/64');
    expect(rateLimitBucket('2001:db8:aa:bb:1:2:198.51.100.1')).toBe(bucket);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(rateLimitBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitBucket('::ffff:cb00:7107')).toBe('203.0.113.7');
  });

  it('keeps anything else apart under its own (bounded) name', () => {
    for (const junk of ['not an ip', '1:2:3', '1::2::3', '12345::1', '1.2.3']) expect(rateLimitBucket(junk)).toBe(`other:${junk}`);
    expect(rateLimitBucket('x'.repeat(500))).toHaveLength('other:'.length + 64);
  });
});
