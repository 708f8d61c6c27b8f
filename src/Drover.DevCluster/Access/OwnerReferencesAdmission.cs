using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Access;

/// <summary>
/// The OwnerReferencesPermissionEnforcement admission plugin: a create or update that changes ownerReferences needs
/// <c>delete</c> on the object itself, and each ownerReference that newly sets <c>blockOwnerDeletion: true</c> needs
/// <c>update</c> on the owner's <c>&lt;resource&gt;/finalizers</c>; otherwise 403 with the plugin's message.
/// Writes by the server's own controllers (no user) pass, as do <c>pods/status</c> writes.
/// </summary>
internal sealed class OwnerReferencesAdmission
{
    private const string PluginName = "OwnerReferencesPermissionEnforcement";

    private readonly RbacAuthorizer _rules;
    private readonly ResourceCatalog _catalog;

    public OwnerReferencesAdmission(RbacAuthorizer rules, ResourceCatalog catalog)
    {
        _rules = rules;
        _catalog = catalog;
    }

    public void Admit(ResourceType type, JsonObject? old, JsonObject next, string? subresource, WriteOptions options)
    {
        if (options.User is not { } user || (type is { Group: "", Plural: "pods" } && subresource == "status"))
        {
            return;
        }

        var references = References(next);
        var previous = References(old);
        if (old is null ? references.Count == 0 : references.Count == previous.Count && references.Zip(previous).All(p => JsonNode.DeepEquals(p.First, p.Second)))
        {
            return;
        }

        var name = Json.String(next, "metadata", "name") ?? string.Empty;
        var ns = type.Namespaced ? Json.String(next, "metadata", "namespace") ?? string.Empty : string.Empty;
        var (allowed, reason) = _rules.Authorize(new RequestAttributes(user, "delete", type.Group, type.Version, type.Plural, subresource, ns, name, string.Empty), PluginName);
        if (!allowed)
        {
            throw ApiException.Forbidden(type.GroupResource, name, $"cannot set an ownerRef on a resource you can't delete: {reason}, <nil>");
        }

        foreach (var reference in references.Where(r => Blocking(r) && !previous.Any(p => Json.String(p, "uid") == Json.String(r, "uid") && Blocking(p))))
        {
            var apiVersion = Json.String(reference, "apiVersion") ?? string.Empty;
            var kind = Json.String(reference, "kind") ?? string.Empty;
            var ownerType = _catalog.FindByKind(apiVersion, kind);
            if (ownerType is null)
            {
                throw ApiException.Forbidden(type.GroupResource, name,
                    $"cannot set blockOwnerDeletion in this case because cannot find RESTMapping for APIVersion {apiVersion} Kind {kind}: {reason}, no matches for kind \"{kind}\" in version \"{apiVersion}\"");
            }

            var owner = new RequestAttributes(user, "update", ownerType.Group, ownerType.Version, ownerType.Plural, "finalizers", ns, Json.String(reference, "name") ?? string.Empty, string.Empty);
            (allowed, reason) = _rules.Authorize(owner, PluginName);
            if (!allowed)
            {
                throw ApiException.Forbidden(type.GroupResource, name, $"cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: {reason}, <nil>");
            }
        }
    }

    private static List<JsonObject> References(JsonObject? obj) =>
        [.. (Json.At(obj, "metadata", "ownerReferences") as JsonArray ?? []).OfType<JsonObject>()];

    private static bool Blocking(JsonObject reference) =>
        Json.At(reference, "blockOwnerDeletion") is JsonValue value && value.TryGetValue<bool>(out var blocking) && blocking;
}
