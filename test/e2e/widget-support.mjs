/**
 * Node plumbing for the widget's end-to-end test (plain JavaScript like panel-support.mjs; typed by
 * widget-support.d.mts): whether the served copy of the widget's scripts is current.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../../worker/widget/build-client.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/** Whether worker/widget/client.gen.ts is what build-client.mjs makes of worker/widget/client/ now. */
export function widgetBundleIsFresh() {
  return readFileSync(join(here, '..', '..', 'worker', 'widget', 'client.gen.ts'), 'utf8') === generate();
}
