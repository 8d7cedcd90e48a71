import type { Settings } from '../../../../config/settings';
import { VERSION } from '../../../../common/version';
import type { HubOptions } from './hub-client';

/** The hub, token, time limit and proxies the settings name (a lower-case proxy variable wins, as in curl). */
export function hubOptionsOf(settings: Settings): HubOptions {
  const { proxy } = settings;
  return {
    endpoint: settings.hub.endpoint,
    token: settings.hub.token,
    timeoutMs: settings.remoteModelConnectTimeoutMs,
    proxy: {
      https: proxy.httpsLower ?? proxy.https,
      http: proxy.httpLower ?? proxy.http,
      noProxy: proxy.noProxyLower ?? proxy.noProxy,
    },
    userAgent: `ragd/${VERSION}`,
  };
}
