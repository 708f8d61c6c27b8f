using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Storage;
using Drover.DevCluster.TestControls;

namespace Drover.DevCluster.Access;

/// <summary>
/// The RBAC authorizer over the Roles, ClusterRoles and their bindings stored in the cluster: a request is allowed
/// when some binding that names the user (or one of its groups, or its ServiceAccount) grants a rule matching its
/// verb, API group, resource (or <c>resource/subresource</c>, <c>*/subresource</c>, <c>*</c>) and name. Members of
/// <c>system:masters</c> are always allowed. Role aggregation is not evaluated.
/// </summary>
internal sealed class RbacAuthorizer
{
    private const string Roles = "roles.rbac.authorization.k8s.io";
    private const string ClusterRoles = "clusterroles.rbac.authorization.k8s.io";
    private const string RoleBindings = "rolebindings.rbac.authorization.k8s.io";
    private const string ClusterRoleBindings = "clusterrolebindings.rbac.authorization.k8s.io";

    private readonly ObjectStore _store;
    private readonly BoundedLog<AuthorizationDecision> _decisions;

    public RbacAuthorizer(ObjectStore store, BoundedLog<AuthorizationDecision> decisions)
    {
        _store = store;
        _decisions = decisions;
    }

    /// <summary>
    /// Whether the request is allowed, and the authorizer's reason (empty unless a binding names a missing role). The
    /// decision is logged with <paramref name="check"/>: <c>request</c>, or the admission plugin asking.
    /// </summary>
    public (bool Allowed, string Reason) Authorize(RequestAttributes request, string check = "request")
    {
        var decision = Decide(request);
        if (request.User is { } user && request.IsResourceRequest)
        {
            _decisions.Add(new AuthorizationDecision(user.Name, request.Verb, request.ApiGroup, request.QualifiedResource, request.Namespace, request.Name, decision.Allowed, check));
        }

        return decision;
    }

    private (bool Allowed, string Reason) Decide(RequestAttributes request)
    {
        var user = request.User;
        if (user is null || user.Groups.Contains(DevClusterUser.Masters))
        {
            return (true, string.Empty);
        }

        var errors = new List<string>();
        foreach (var binding in _store.List(ClusterRoleBindings, null).Items)
        {
            if (Grants(binding, string.Empty, user, request, errors))
            {
                return (true, string.Empty);
            }
        }

        if (request.Namespace.Length > 0)
        {
            foreach (var binding in _store.List(RoleBindings, request.Namespace).Items)
            {
                if (Grants(binding, request.Namespace, user, request, errors))
                {
                    return (true, string.Empty);
                }
            }
        }

        return (false, errors.Count switch
        {
            0 => string.Empty,
            1 => "RBAC: " + errors[0],
            _ => "RBAC: [" + string.Join(", ", errors) + "]",
        });
    }

    /// <summary>The Forbidden message of the real server: who cannot do what, where.</summary>
    public static string ForbiddenMessage(RequestAttributes request)
    {
        var user = request.User?.Name ?? string.Empty;
        if (!request.IsResourceRequest)
        {
            return $"User \"{user}\" cannot {request.Verb} path \"{request.Path}\"";
        }

        return request.Namespace.Length > 0
            ? $"User \"{user}\" cannot {request.Verb} resource \"{request.QualifiedResource}\" in API group \"{request.ApiGroup}\" in the namespace \"{request.Namespace}\""
            : $"User \"{user}\" cannot {request.Verb} resource \"{request.QualifiedResource}\" in API group \"{request.ApiGroup}\" at the cluster scope";
    }

    private bool Grants(StoredObject binding, string bindingNamespace, DevClusterUser user, RequestAttributes request, List<string> errors)
    {
        var subjects = Json.At(binding.Object, "subjects") as JsonArray ?? [];
        if (!subjects.Any(s => AppliesTo(s, user, bindingNamespace)))
        {
            return false;
        }

        var kind = Json.String(binding.Object, "roleRef", "kind");
        var name = Json.String(binding.Object, "roleRef", "name") ?? string.Empty;
        var role = kind switch
        {
            "ClusterRole" => _store.Get(ClusterRoles, string.Empty, name),
            "Role" when bindingNamespace.Length > 0 => _store.Get(Roles, bindingNamespace, name),
            _ => null,
        };
        if (role is null)
        {
            errors.Add(kind == "ClusterRole" ? $"clusterrole.rbac.authorization.k8s.io \"{name}\" not found" : $"role.rbac.authorization.k8s.io \"{name}\" not found");
            return false;
        }

        return (Json.At(role.Object, "rules") as JsonArray ?? []).OfType<JsonObject>().Any(rule => Allows(rule, request));
    }

    private static bool AppliesTo(JsonNode? subject, DevClusterUser user, string bindingNamespace)
    {
        var name = Json.String(subject, "name") ?? string.Empty;
        switch (Json.String(subject, "kind"))
        {
            case "User":
                return user.Name == name;
            case "Group":
                return user.Groups.Contains(name);
            case "ServiceAccount":
                var ns = Json.String(subject, "namespace") is { Length: > 0 } own ? own : bindingNamespace;
                return ns.Length > 0 && user.Name == $"system:serviceaccount:{ns}:{name}";
            default:
                return false;
        }
    }

    private static bool Allows(JsonObject rule, RequestAttributes request)
    {
        if (!request.IsResourceRequest)
        {
            return false;
        }

        var verbs = Json.Strings(rule["verbs"]);
        var groups = Json.Strings(rule["apiGroups"]);
        var resources = Json.Strings(rule["resources"]);
        var names = Json.Strings(rule["resourceNames"]);
        return (verbs.Contains("*") || verbs.Contains(request.Verb))
            && (groups.Contains("*") || groups.Contains(request.ApiGroup))
            && resources.Any(r => ResourceMatches(r, request))
            && (names.Count == 0 || (request.Name.Length > 0 && names.Contains(request.Name)));
    }

    private static bool ResourceMatches(string rule, RequestAttributes request) =>
        rule == "*"
        || rule == request.QualifiedResource
        || (request.Subresource is { } sub && rule == "*/" + sub);
}
