using System.Text.Json.Nodes;

namespace Drover.CrdGen.Tests;

public class StructuralSchemaTests
{
    private static IEnumerable<(string Path, JsonObject Node)> Nodes(JsonObject node, string path)
    {
        yield return (path, node);
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var n in Nodes(child!.AsObject(), $"{path}.{name}"))
                {
                    yield return n;
                }
            }
        }

        foreach (var key in new[] { "items", "additionalProperties" })
        {
            if (node[key] is JsonObject child)
            {
                foreach (var n in Nodes(child, $"{path}[{key}]"))
                {
                    yield return n;
                }
            }
        }
    }

    private static IEnumerable<(string Kind, string Path, JsonObject Node)> AllNodes() =>
        CrdFiles.All.Keys.SelectMany(kind => Nodes(CrdFiles.Schema(kind), "").Select(n => (kind, n.Path, n.Node)));

    [Fact]
    public void Every_node_has_a_type_except_int_or_string()
    {
        var untyped = AllNodes()
            .Where(n => n.Node["type"] is null && n.Node["x-kubernetes-int-or-string"] is null)
            .Select(n => $"{n.Kind}{n.Path}")
            .ToList();
        Assert.Empty(untyped);
    }

    [Fact]
    public void Types_are_single_openapi_types()
    {
        var allowed = new[] { "object", "array", "string", "integer", "number", "boolean" };
        Assert.All(AllNodes().Where(n => n.Node["type"] is not null), n =>
            Assert.Contains(n.Node["type"]!.GetValue<string>(), allowed));
    }

    [Fact]
    public void No_refs_and_no_anyOf_except_the_int_or_string_pattern()
    {
        foreach (var (kind, path, node) in AllNodes())
        {
            Assert.False(node.ContainsKey("$ref"), $"{kind}{path} has $ref");
            Assert.False(node.ContainsKey("oneOf") || node.ContainsKey("allOf") || node.ContainsKey("not"), $"{kind}{path} has a combinator");
            if (node["anyOf"] is JsonArray anyOf)
            {
                Assert.True(node["x-kubernetes-int-or-string"]?.GetValue<bool>(), $"{kind}{path}: anyOf without int-or-string");
                Assert.Equal("""[{"type":"integer"},{"type":"string"}]""", anyOf.ToJsonString());
            }
        }
    }

    [Fact]
    public void Unknown_fields_are_preserved_only_in_agent_config()
    {
        var preserving = AllNodes()
            .Where(n => n.Node["x-kubernetes-preserve-unknown-fields"] is not null)
            .Select(n => $"{n.Kind}{n.Path}");
        Assert.Equal(["Agent.spec.config"], preserving);
    }

    [Fact]
    public void Every_object_says_what_it_holds()
    {
        // An object with neither properties nor additionalProperties would have all its fields pruned.
        var empty = AllNodes()
            .Where(n => n.Node["type"]?.GetValue<string>() == "object"
                && n.Node["properties"] is null && n.Node["additionalProperties"] is null
                && n.Node["x-kubernetes-preserve-unknown-fields"] is null
                && n.Path != ".metadata")
            .Select(n => $"{n.Kind}{n.Path}")
            .ToList();
        Assert.Empty(empty);
        Assert.DoesNotContain(AllNodes(), n => n.Node["properties"] is not null && n.Node["additionalProperties"] is not null);
    }

    [Fact]
    public void Arrays_have_item_schemas()
    {
        var missing = AllNodes().Where(n => n.Node["type"]?.GetValue<string>() == "array" && n.Node["items"] is not JsonObject)
            .Select(n => $"{n.Kind}{n.Path}").ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void List_maps_are_keyed_by_required_scalar_fields()
    {
        var maps = AllNodes().Where(n => n.Node["x-kubernetes-list-type"]?.GetValue<string>() == "map").ToList();
        Assert.Contains(maps, n => n.Kind == "Agent" && n.Path == ".status.conditions");
        Assert.Contains(maps, n => n.Kind == "Agent" && n.Path == ".spec.env");
        Assert.Contains(maps, n => n.Kind == "ModelProvider" && n.Path == ".spec.headers");
        foreach (var (kind, path, node) in maps)
        {
            var items = node["items"]!.AsObject();
            var required = items["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToList() ?? [];
            foreach (var key in node["x-kubernetes-list-map-keys"]!.AsArray().Select(k => k!.GetValue<string>()))
            {
                Assert.Contains(key, required);
                Assert.Contains(items["properties"]![key]!["type"]!.GetValue<string>(), new[] { "string", "integer" });
            }
        }
    }

    [Fact]
    public void Conditions_have_the_metav1_condition_shape()
    {
        foreach (var kind in CrdFiles.All.Keys)
        {
            var conditions = CrdFiles.Schema(kind)["properties"]!["status"]!["properties"]!["conditions"]!;
            Assert.Equal("""["type"]""", conditions["x-kubernetes-list-map-keys"]!.ToJsonString());
            var item = conditions["items"]!;
            Assert.Equal("date-time", item["properties"]!["lastTransitionTime"]!["format"]!.GetValue<string>());
            Assert.Equal(["lastTransitionTime", "message", "reason", "status", "type"], item["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        }
    }

    [Fact]
    public void Defaults_are_allowed_by_their_own_schema()
    {
        var defaults = AllNodes().Where(n => n.Node["default"] is not null).ToList();
        Assert.Contains(defaults, n => n.Kind == "Agent" && n.Path == ".spec.replicas" && n.Node["default"]!.GetValue<long>() == 1);
        Assert.Contains(defaults, n => n.Kind == "Schedule" && n.Path == ".spec.concurrencyPolicy" && n.Node["default"]!.GetValue<string>() == "Forbid");
        Assert.Contains(defaults, n => n.Kind == "ModelProvider" && n.Path == ".spec.allowedNamespaces.from");
        foreach (var (kind, path, node) in defaults)
        {
            var value = node["default"]!;
            if (node["enum"] is JsonArray allowed)
            {
                Assert.Contains(allowed, a => JsonNode.DeepEquals(a, value));
            }

            if (node["minimum"] is JsonNode minimum)
            {
                Assert.True(value.GetValue<long>() >= minimum.GetValue<long>(), $"{kind}{path}");
            }
        }
    }

    [Fact]
    public void Quantities_carry_the_kubernetes_quantity_pattern()
    {
        var limits = CrdFiles.Schema("Agent")["properties"]!["spec"]!["properties"]!["resources"]!["properties"]!["limits"]!["additionalProperties"]!;
        Assert.True(limits["x-kubernetes-int-or-string"]!.GetValue<bool>());
        var pattern = new System.Text.RegularExpressions.Regex(limits["pattern"]!.GetValue<string>());
        Assert.Matches(pattern, "64Mi");
        Assert.Matches(pattern, "500m");
        Assert.Matches(pattern, "1.5Gi");
        Assert.DoesNotMatch(pattern, "lots");
    }

    [Fact]
    public void Fields_are_described_from_the_xml_docs()
    {
        var spec = CrdFiles.Schema("Schedule")["properties"]!["spec"]!;
        Assert.Contains("IANA time zone", spec["properties"]!["timeZone"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var affinity = CrdFiles.Schema("Agent")["properties"]!["spec"]!["properties"]!["placement"]!["properties"]!["affinity"]!;
        Assert.Contains("node affinity", affinity["properties"]!["nodeAffinity"]!["description"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        var undocumented = AllNodes().Where(n => n.Path.Count(c => c == '.') == 2 && !n.Path.Contains('[', StringComparison.Ordinal) && n.Path.StartsWith(".spec", StringComparison.Ordinal) && n.Node["description"] is null)
            .Select(n => $"{n.Kind}{n.Path}").ToList();
        Assert.Empty(undocumented);
    }
}
