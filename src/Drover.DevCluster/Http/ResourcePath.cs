namespace Drover.DevCluster.Http;

/// <summary>
/// A resource URL taken apart: <c>/api/v1/namespaces/{ns}/{resource}/{name}/{sub}</c> or
/// <c>/apis/{group}/{version}/...</c>, including the legacy <c>/watch/</c> prefix.
/// </summary>
public sealed record ResourcePath(string Group, string Version, string Namespace, string Resource, string Name, string? Subresource, bool LegacyWatch)
{
    /// <summary>Null when the path is not a resource path (discovery, health, unknown).</summary>
    public static ResourcePath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            group = string.Empty;
            version = segments[1];
            rest = 2;
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            group = segments[1];
            version = segments[2];
            rest = 3;
        }
        else
        {
            return null;
        }

        var legacyWatch = false;
        if (segments[rest] == "watch")
        {
            legacyWatch = true;
            rest++;
        }

        var tail = segments[rest..].Select(Uri.UnescapeDataString).ToArray();
        if (tail.Length == 0)
        {
            return null;
        }

        // namespaces/{ns}/{resource}/... unless it is the namespace itself or one of its subresources.
        if (tail[0] == "namespaces" && tail.Length >= 3 && tail[2] is not ("status" or "finalize"))
        {
            return new ResourcePath(group, version, tail[1], tail[2], tail.Length > 3 ? tail[3] : string.Empty, tail.Length > 4 ? tail[4] : null, legacyWatch)
                .Valid(tail.Length <= 5);
        }

        return new ResourcePath(group, version, string.Empty, tail[0], tail.Length > 1 ? tail[1] : string.Empty, tail.Length > 2 ? tail[2] : null, legacyWatch)
            .Valid(tail.Length <= 3);
    }

    /// <summary>The resource as request counters name it: the plural, with a subresource suffix.</summary>
    public string CounterResource => Subresource is null ? Resource : Resource + "/" + Subresource;

    private ResourcePath? Valid(bool ok) => ok ? this : null;
}
