/** Types of widget-support.mjs. */
/** Whether worker/widget/client.gen.ts is what worker/widget/build-client.mjs makes of worker/widget/client/ now. */
export declare function widgetBundleIsFresh(): boolean;
