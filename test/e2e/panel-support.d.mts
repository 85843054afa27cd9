/** Types of panel-support.mjs. */
export declare function artifactPath(name: string): string;
export declare function startOtherSite(pages: Record<string, string>): Promise<{ port: number; close(): Promise<void> }>;
export declare function clientBundleIsFresh(): Promise<boolean>;
