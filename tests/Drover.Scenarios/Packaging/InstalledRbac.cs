using System.Text.Json.Nodes;

namespace Drover.Scenarios.Packaging;

/// <summary>
/// What the RBAC objects installed in a cluster let one service account do, evaluated the way the API server's
/// authorizer does: ClusterRoleBindings grant everywhere, RoleBindings (to a Role or a ClusterRole) in their namespace.
/// The dev cluster does not enforce RBAC, so this is how a test learns whether a request would have been forbidden.
/// </summary>
internal sealed class InstalledRbac
{
    private readonly List<JsonObject> _clusterWide = [];
    private readonly Dictionary<string, List<JsonObject>> _byNamespace = new(StringComparer.Ordinal);

    private InstalledRbac(string serviceAccount) => ServiceAccount = serviceAccount;

    /// <summary><c>namespace/name</c>.</summary>
    public string ServiceAccount { get; }

    public static InstalledRbac Read(ChartCluster cluster, string ns, string serviceAccount)
    {
        var rbac = new InstalledRbac($"{ns}/{serviceAccount}");
        var clusterRoles = cluster.List("clusterroles").ToDictionary(r => (string)r["metadata"]!["name"]!);
        var roles = cluster.List("roles", "--all-namespaces")
            .ToDictionary(r => ((string)r["metadata"]!["namespace"]!, (string)r["metadata"]!["name"]!));

        bool Binds(JsonObject binding) => binding["subjects"]?.AsArray().Any(s =>
            (string?)s!["kind"] == "ServiceAccount" && (string?)s["name"] == serviceAccount && (string?)s["namespace"] == ns) == true;

        foreach (var binding in cluster.List("clusterrolebindings").Where(Binds))
        {
            if (clusterRoles.TryGetValue((string)binding["roleRef"]!["name"]!, out var role))
            {
                rbac._clusterWide.AddRange(Rules(role));
            }
        }

        foreach (var binding in cluster.List("rolebindings", "--all-namespaces").Where(Binds))
        {
            var bindingNamespace = (string)binding["metadata"]!["namespace"]!;
            var roleName = (string)binding["roleRef"]!["name"]!;
            var role = (string?)binding["roleRef"]!["kind"] == "ClusterRole"
                ? clusterRoles.GetValueOrDefault(roleName)
                : roles.GetValueOrDefault((bindingNamespace, roleName));
            if (role is not null)
            {
                if (!rbac._byNamespace.TryGetValue(bindingNamespace, out var rules))
                {
                    rbac._byNamespace[bindingNamespace] = rules = [];
                }

                rules.AddRange(Rules(role));
            }
        }

        return rbac;
    }

    /// <summary>
    /// Whether <paramref name="verb"/> on <paramref name="resource"/> (plural, <c>/status</c> for the subresource) is
    /// granted in <paramref name="ns"/>, or, when that is null, anywhere at all. API groups are not compared: the
    /// request counters this is checked against name resources by plural alone.
    /// </summary>
    public bool Allows(string verb, string resource, string? ns = null)
    {
        var rules = ns is null
            ? _clusterWide.Concat(_byNamespace.Values.SelectMany(r => r))
            : _clusterWide.Concat(_byNamespace.GetValueOrDefault(ns) ?? []);
        return rules.Any(rule => Lists(rule, "verbs", verb) && Lists(rule, "resources", resource));
    }

    private static IEnumerable<JsonObject> Rules(JsonObject role) => role["rules"]?.AsArray().Select(r => r!.AsObject()) ?? [];

    private static bool Lists(JsonObject rule, string field, string value) =>
        rule[field]?.AsArray().Any(v => (string?)v is "*" || (string?)v == value) == true;
}
