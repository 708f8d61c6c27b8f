using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Drover.Scenarios.Packaging;

/// <summary>A multi-document YAML render (helm template, kubectl kustomize) as JSON objects to query.</summary>
internal sealed class RenderedManifests
{
    private RenderedManifests(IReadOnlyList<JsonObject> objects) => Objects = objects;

    public IReadOnlyList<JsonObject> Objects { get; }

    public static RenderedManifests Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return new([.. stream.Documents.Select(d => ToJson(d.RootNode)).OfType<JsonObject>()]);
    }

    public static string Identity(JsonObject o) =>
        $"{o["kind"]}/{o["metadata"]?["namespace"]?.GetValue<string>() ?? ""}/{o["metadata"]?["name"]}";

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject? Find(string kind, string name, string? ns = null) =>
        OfKind(kind).FirstOrDefault(o => (string?)o["metadata"]?["name"] == name
            && (ns is null || (string?)o["metadata"]?["namespace"] == ns));

    public JsonObject Single(string kind, string name, string? ns = null) =>
        Find(kind, name, ns) ?? throw new Xunit.Sdk.XunitException(
            $"no {kind} {name}; rendered: {string.Join(", ", Objects.Select(Identity))}");

    /// <summary>The operator container of the Deployment.</summary>
    public static JsonObject Manager(JsonObject deployment) =>
        deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray()
            .Select(c => c!.AsObject()).Single(c => (string?)c["name"] == "manager");

    public static IReadOnlyList<string> Args(JsonObject deployment) =>
        [.. Manager(deployment)["args"]!.AsArray().Select(a => a!.GetValue<string>())];

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(p =>
            KeyValuePair.Create(((YamlScalarNode)p.Key).Value ?? "", ToJson(p.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at {node.Start}"),
    };

    // YAML 1.2 core schema for plain scalars, as Kubernetes clients read them; quoted scalars stay strings.
    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ => JsonValue.Create(text),
        };
    }
}
