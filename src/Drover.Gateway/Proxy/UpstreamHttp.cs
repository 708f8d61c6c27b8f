using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Drover.Gateway.Proxy;

/// <summary>The one HTTP client the gateway sends provider requests with, and how it reads their answers' headers.</summary>
internal static class UpstreamHttp
{
    /// <summary>
    /// Pooled connections renewed every few minutes (so DNS changes are seen), certificates verified as the system
    /// trusts them (no override anywhere), no redirects (a redirect could carry the key elsewhere), no cookies, and
    /// no automatic decompression: bodies pass through as sent, which is why requests ask for identity encoding.
    /// </summary>
    public static HttpClient Create() => new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = true,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>How long the provider asked callers to wait: retry-after-ms, else Retry-After in seconds or as a date.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0)
        {
            return Cap(TimeSpan.FromMilliseconds(milliseconds));
        }

        if (response.Headers.RetryAfter is RetryConditionHeaderValue retry)
        {
            if (retry.Delta is { } delta && delta > TimeSpan.Zero)
            {
                return Cap(delta);
            }

            if (retry.Date is { } date && date > now)
            {
                return Cap(date - now);
            }
        }

        // Some providers send fractional seconds, which the typed header rejects.
        if (response.Headers.TryGetValues("retry-after", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return Cap(TimeSpan.FromSeconds(seconds));
        }

        return null;
    }

    // A provider cannot take itself out of every chain for longer than this.
    private static TimeSpan Cap(TimeSpan wait) => wait > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : wait;
}
