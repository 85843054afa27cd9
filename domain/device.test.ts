/** deviceOf on real User-Agent strings (as sent by current browsers, bots and tools). */
import { describe, expect, it } from 'vitest';
import { deviceOf } from './device';

const UA = {
  iphoneSafari: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  iphoneChrome: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1',
  androidChromePhone: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
  samsungPhone: 'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  androidFirefoxPhone: 'Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
  androidTablet: 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  androidFirefoxTablet: 'Mozilla/5.0 (Android 13; Tablet; rv:127.0) Gecko/127.0 Firefox/127.0',
  kindleFire: 'Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/126.3.1 like Chrome/126.0.6478.126 Safari/537.36',
  windowsChrome: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  windowsEdge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.56',
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
  chromeOs: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  googlebotSmartphone: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  bingbot: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
  headlessChrome: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
  curl: 'curl/8.5.0',
  python: 'python-requests/2.32.3',
  okhttp: 'okhttp/4.12.0',
  simulatorDefault: 'edge-casino-simulator/1',
};

describe('deviceOf', () => {
  it.each([
    ['iphoneSafari', 'mobile'], ['iphoneChrome', 'mobile'], ['androidChromePhone', 'mobile'], ['samsungPhone', 'mobile'], ['androidFirefoxPhone', 'mobile'],
    ['ipad', 'tablet'], ['androidTablet', 'tablet'], ['androidFirefoxTablet', 'tablet'], ['kindleFire', 'tablet'],
    ['windowsChrome', 'desktop'], ['windowsEdge', 'desktop'], ['macSafari', 'desktop'], ['linuxFirefox', 'desktop'], ['chromeOs', 'desktop'],
    ['googlebot', 'unknown'], ['googlebotSmartphone', 'unknown'], ['bingbot', 'unknown'], ['headlessChrome', 'unknown'],
    ['curl', 'unknown'], ['python', 'unknown'], ['okhttp', 'unknown'], ['simulatorDefault', 'unknown'],
  ] as const)('%s -> %s', (name, device) => {
    expect(deviceOf(UA[name])).toBe(device);
  });

  it('no User-Agent, or an empty one, is unknown', () => {
    expect(deviceOf(null)).toBe('unknown');
    expect(deviceOf(undefined)).toBe('unknown');
    expect(deviceOf('')).toBe('unknown');
  });

  it('a well-formed app header wins over the User-Agent (the app\'s web view sends a phone\'s)', () => {
    expect(deviceOf(UA.iphoneSafari, 'app/ios/4.12.0')).toBe('app');
    expect(deviceOf(UA.androidChromePhone, 'app/android/4.12.0-beta.1')).toBe('app');
    expect(deviceOf(null, 'app/ios/4.12.0')).toBe('app');
  });

  it('a malformed app header is ignored: the User-Agent decides', () => {
    for (const bad of ['app', 'app/ios', 'app//1.0', 'web/ios/1.0', 'app/ios/latest', `app/${'x'.repeat(40)}/1.0`, 'app/ios/1.0; drop table']) {
      expect(deviceOf(UA.windowsChrome, bad), bad).toBe('desktop');
    }
  });

  it('a huge User-Agent is read only at its start (bounded work)', () => {
    expect(deviceOf(UA.iphoneSafari + ' x'.repeat(100_000))).toBe('mobile');
  });
});
