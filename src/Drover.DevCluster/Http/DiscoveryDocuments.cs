using System.Text.Json.Nodes;
using Drover.DevCluster.Resources;

namespace Drover.DevCluster.Http;

/// <summary>
/// Legacy (unaggregated) discovery: <c>/api</c>, <c>/apis</c>, <c>/apis/{g}</c> and the per group-version
/// resource lists. Served as plain <c>application/json</c>, which kubectl accepts as the legacy form.
/// </summary>
public static class DiscoveryDocuments
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "35",
        ["emulationMajor"] = "1",
        ["emulationMinor"] = "35",
        ["minCompatibilityMajor"] = "1",
        ["minCompatibilityMinor"] = "34",
        ["gitVersion"] = "v1.35.0",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-12-17T00:00:00Z",
        ["goVersion"] = "go1.25.5",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var groups = new JsonArray();
        foreach (var (group, versions) in catalog.Groups)
        {
            if (group.Length > 0)
            {
                groups.Add(Group(group, versions));
            }
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject? Group(ResourceCatalog catalog, string group)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var match = catalog.Groups.FirstOrDefault(g => g.Group == group);
        if (match.Versions is null)
        {
            return null;
        }

        var document = Group(group, match.Versions);
        document["kind"] = "APIGroup";
        document["apiVersion"] = "v1";
        return document;
    }

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var types = catalog.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in types)
        {
            var main = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = Strings(type.Verbs),
            };
            if (type.ShortNames.Count > 0)
            {
                main["shortNames"] = Strings(type.ShortNames);
            }

            if (type.Categories.Count > 0)
            {
                main["categories"] = Strings(type.Categories);
            }

            resources.Add(main);
            if (type.HasStatusSubresource)
            {
                resources.Add(Subresource(type, "status", null));
            }

            if (type.Scale is not null)
            {
                resources.Add(Subresource(type, "scale", ("autoscaling", "v1", "Scale")));
            }

            if (type is { Group: "", Plural: "pods" })
            {
                var log = Subresource(type, "log", null);
                log["verbs"] = Strings(["get"]);
                resources.Add(log);
            }

            if (type is { Group: "", Plural: "namespaces" })
            {
                var finalize = Subresource(type, "finalize", null);
                finalize["verbs"] = Strings(["update"]);
                resources.Add(finalize);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceType type, string name, (string Group, string Version, string Kind)? responseKind)
    {
        var entry = new JsonObject
        {
            ["name"] = $"{type.Plural}/{name}",
            ["singularName"] = string.Empty,
            ["namespaced"] = type.Namespaced,
        };
        if (responseKind is { } kind)
        {
            entry["group"] = kind.Group;
            entry["version"] = kind.Version;
            entry["kind"] = kind.Kind;
        }
        else
        {
            entry["kind"] = type.Kind;
        }

        entry["verbs"] = Strings(["get", "patch", "update"]);
        return entry;
    }

    private static JsonObject Group(string group, IReadOnlyList<string> versions)
    {
        var list = new JsonArray();
        foreach (var version in versions)
        {
            list.Add(new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version });
        }

        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = list,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }

    private static JsonArray Strings(IEnumerable<string> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }
}
