namespace Drover.DevCluster.TestControls;

/// <summary>One answered request.</summary>
/// <param name="Time">When the answer was complete.</param>
/// <param name="UserAgent">The User-Agent header, as sent.</param>
/// <param name="Client">The User-Agent's product token (before the first <c>/</c>), as request counters and field managers name clients.</param>
/// <param name="User">The authenticated user (or <c>system:anonymous</c>); null when authentication is off.</param>
/// <param name="Groups">The user's groups; empty when authentication is off.</param>
/// <param name="Verb">The Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection); for other paths the lower-case HTTP method.</param>
/// <param name="ApiGroup">The API group (empty for the core group).</param>
/// <param name="ApiVersion">The API version.</param>
/// <param name="Resource">The resource plural; empty for requests that are not for a resource (discovery, OpenAPI, health).</param>
/// <param name="Subresource">status, scale, finalize, log, ... or null.</param>
/// <param name="Namespace">The namespace in the path; empty for cluster-scoped and all-namespace requests.</param>
/// <param name="Name">The object's name (for list and watch, the one a <c>metadata.name</c> field selector names); empty otherwise.</param>
/// <param name="Path">The request path.</param>
/// <param name="StatusCode">The HTTP status answered (200 for a watch that streamed).</param>
public sealed record LoggedRequest(
    DateTimeOffset Time,
    string UserAgent,
    string Client,
    string? User,
    IReadOnlyList<string> Groups,
    string Verb,
    string ApiGroup,
    string ApiVersion,
    string Resource,
    string? Subresource,
    string Namespace,
    string Name,
    string Path,
    int StatusCode)
{
    public bool IsResourceRequest => Resource.Length > 0;
}
