using System.Text.Json.Nodes;

namespace Drover.DevCluster.Tests.Schema;

/// <summary>Short ways to write JSON fixtures in tests.</summary>
internal static class JsonText
{
    public static JsonObject Object(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>A custom resource named "w" with the given spec JSON.</summary>
    public static JsonObject Widget(string specJson) =>
        Object("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":""" + specJson + "}");

    /// <summary>A custom resource with the given name and no spec.</summary>
    public static JsonObject Named(string name) => new()
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
    };
}
