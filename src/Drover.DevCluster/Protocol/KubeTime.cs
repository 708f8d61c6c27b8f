using System.Globalization;

namespace Drover.DevCluster.Protocol;

/// <summary><c>metav1.Time</c> on the wire: RFC 3339, seconds precision, UTC.</summary>
public static class KubeTime
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
