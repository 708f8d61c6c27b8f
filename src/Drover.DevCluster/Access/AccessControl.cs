using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.TestControls;

namespace Drover.DevCluster.Access;

/// <summary>
/// The server's authentication (bearer tokens from <see cref="DevClusterOptions.Tokens"/>) and authorization (RBAC
/// when <see cref="DevClusterOptions.AuthorizeWithRbac"/>). With neither configured every request is served, as a
/// dev cluster always did. Requests for paths other than resources (discovery, OpenAPI, health, version) are open
/// to every authenticated or anonymous user.
/// </summary>
internal sealed class AccessControl
{
    private readonly IReadOnlyDictionary<string, DevClusterUser>? _tokens;
    private readonly RbacAuthorizer? _authorizer;

    public AccessControl(IReadOnlyDictionary<string, DevClusterUser>? tokens, bool authorizeWithRbac, ObjectStore store, BoundedLog<AuthorizationDecision> decisions)
    {
        _tokens = tokens;
        Rules = new RbacAuthorizer(store, decisions);
        _authorizer = authorizeWithRbac ? Rules : null;
    }

    /// <summary>The RBAC rules stored in the cluster, also consulted by admission.</summary>
    public RbacAuthorizer Rules { get; }

    /// <summary>The requester named by an <c>Authorization: Bearer</c> header; null when authentication is off.</summary>
    public DevClusterUser? Authenticate(string? authorization)
    {
        if (_tokens is null)
        {
            return null;
        }

        const string Scheme = "Bearer ";
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return DevClusterUser.AnonymousUser;
        }

        var token = authorization[Scheme.Length..].Trim();
        return _tokens.TryGetValue(token, out var user)
            ? user.AsAuthenticated()
            : throw ApiException.Custom(401, "Unauthorized", "Unauthorized");
    }

    /// <summary>Throws the 403 the RBAC authorizer's denial becomes.</summary>
    public void Authorize(RequestAttributes request)
    {
        if (_authorizer is null || !request.IsResourceRequest)
        {
            return;
        }

        var (allowed, reason) = _authorizer.Authorize(request);
        if (!allowed)
        {
            var message = RbacAuthorizer.ForbiddenMessage(request);
            throw ApiException.Forbidden(request.GroupResource, request.Name, reason.Length == 0 ? message : $"{message}: {reason}");
        }
    }
}
