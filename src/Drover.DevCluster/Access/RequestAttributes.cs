namespace Drover.DevCluster.Access;

/// <summary>
/// What a request asks to do, in the terms authorization uses (the API server's RequestInfo): the Kubernetes verb,
/// API group and version, resource, subresource, namespace and name; or, for other paths, the path and HTTP verb.
/// </summary>
internal sealed record RequestAttributes(
    DevClusterUser? User,
    string Verb,
    string ApiGroup,
    string ApiVersion,
    string Resource,
    string? Subresource,
    string Namespace,
    string Name,
    string Path)
{
    public bool IsResourceRequest => Resource.Length > 0;

    /// <summary><c>resource</c> or <c>resource/subresource</c>, as RBAC rules name it.</summary>
    public string QualifiedResource => Subresource is null ? Resource : $"{Resource}/{Subresource}";

    /// <summary><c>resource.group</c>, as Forbidden errors name it.</summary>
    public string GroupResource => ApiGroup.Length == 0 ? Resource : $"{Resource}.{ApiGroup}";

    public static RequestAttributes NonResource(DevClusterUser? user, string method, string path) =>
        new(user, method.ToLowerInvariant(), string.Empty, string.Empty, string.Empty, null, string.Empty, string.Empty, path);
}
